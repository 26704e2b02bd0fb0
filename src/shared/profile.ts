import { IANAZone } from 'luxon';
import { normalizeEmail } from './email-address';
import type { CustomerEvent } from './events';

// What one event tells us about the customer's profile. The one rule both the PostgreSQL profile
// (src/db/projections.ts) and the customer workflow's state (workflows/customer/lifecycle.ts)
// apply, so the two never disagree about a customer's zone or language.

export type ProfileField = 'email' | 'phone' | 'first_name' | 'last_name' | 'locale' | 'timezone' | 'birthday';

export interface ProfileChange {
  /** From the event's traits: the value to keep, or null to clear the field. */
  set: Partial<Record<ProfileField, string | null>>;
  /** From Segment's context (the device's settings): kept only where the profile has none yet. */
  fill: Partial<Record<'locale' | 'timezone', string>>;
}

/** Identify traits kept in the profile, in both of Segment's spellings. */
const TRAITS: Record<string, ProfileField> = {
  email: 'email',
  first_name: 'first_name',
  firstName: 'first_name',
  last_name: 'last_name',
  lastName: 'last_name',
  locale: 'locale',
  timezone: 'timezone',
  birthday: 'birthday',
  // Normalised to E.164 where it is stored (src/db/projections.ts); the workflow does not keep it.
  phone: 'phone',
};

/** Whether the identify trait `name` is kept in the profile (rather than among the free-form traits). */
export const isProfileTrait = (name: string): boolean => Object.hasOwn(TRAITS, name);

/** A trait as a profile value: text, null to clear, undefined when it cannot be one. */
function value(field: ProfileField, raw: unknown): string | null | undefined {
  if (raw === null) return null;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (text === '') return null;
  if (field === 'email') return normalizeEmail(text); // never more than one address
  if (field === 'timezone' && !IANAZone.isValidZone(text)) return undefined; // would break local-time sends
  return text;
}

export function profileChange(event: CustomerEvent): ProfileChange {
  const change: ProfileChange = { set: {}, fill: {} };
  // identify's traits, or those another call carried in Segment's context.traits.
  for (const [name, raw] of Object.entries(event.traits ?? {})) {
    const field = TRAITS[name];
    const v = field && value(field, raw);
    if (field && v !== undefined) change.set[field] = v;
  }
  for (const field of ['locale', 'timezone'] as const) {
    const v = value(field, event.context?.[field]);
    if (v && change.set[field] === undefined) change.fill[field] = v;
  }
  return change;
}
