import type { Liquid } from 'liquidjs';

/**
 * Filters every template may use, on top of LiquidJS's own:
 *   {{ price | money }}            49.9 → "$49.90" (en) / "49,90 $" (de), in the default currency
 *   {{ price | money: currency }}  in that ISO 4217 currency; a null currency means the default
 */
export function registerFilters(engine: Liquid, locale: string, defaultCurrency: string): void {
  engine.registerFilter('money', (value: unknown, currency?: unknown) => {
    const amount = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof amount !== 'number' || !Number.isFinite(amount)) {
      throw new Error(`money: ${JSON.stringify(value)} is not an amount`);
    }
    const code = typeof currency === 'string' && currency !== '' ? currency : defaultCurrency;
    return new Intl.NumberFormat(locale, { style: 'currency', currency: code }).format(amount);
  });
}
