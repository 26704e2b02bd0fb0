// The shop's stores, as the admin API takes them and the nearby-store journey reads them.

/** Days of the week as opening hours name them, Monday first (index + 1 = ISO weekday). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * One line of a store's opening hours (like schema.org's OpeningHoursSpecification): open on `days`
 * from `opens` to `closes` ("HH:MM", the same day, closes after opens), in the store's zone.
 */
export interface OpeningHours {
  days: Weekday[];
  opens: string;
  closes: string;
}

export interface Store {
  id: string;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  /** Empty: never open (the journey sends nothing for it). */
  openingHours: OpeningHours[];
  /** IANA zone its opening hours are in. */
  timezone: string;
}
