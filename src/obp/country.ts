import { z } from 'zod';

/** ISO 3166-1 alpha-2: the officially assigned codes (not the reserved ones such as UK, EU or XK). */
export const COUNTRY_CODES = [
  'AD', 'AE', 'AF', 'AG', 'AI', 'AL', 'AM', 'AO', 'AQ', 'AR', 'AS', 'AT', 'AU', 'AW', 'AX', 'AZ', 'BA', 'BB', 'BD', 'BE',
  'BF', 'BG', 'BH', 'BI', 'BJ', 'BL', 'BM', 'BN', 'BO', 'BQ', 'BR', 'BS', 'BT', 'BV', 'BW', 'BY', 'BZ', 'CA', 'CC', 'CD',
  'CF', 'CG', 'CH', 'CI', 'CK', 'CL', 'CM', 'CN', 'CO', 'CR', 'CU', 'CV', 'CW', 'CX', 'CY', 'CZ', 'DE', 'DJ', 'DK', 'DM',
  'DO', 'DZ', 'EC', 'EE', 'EG', 'EH', 'ER', 'ES', 'ET', 'FI', 'FJ', 'FK', 'FM', 'FO', 'FR', 'GA', 'GB', 'GD', 'GE', 'GF',
  'GG', 'GH', 'GI', 'GL', 'GM', 'GN', 'GP', 'GQ', 'GR', 'GS', 'GT', 'GU', 'GW', 'GY', 'HK', 'HM', 'HN', 'HR', 'HT', 'HU',
  'ID', 'IE', 'IL', 'IM', 'IN', 'IO', 'IQ', 'IR', 'IS', 'IT', 'JE', 'JM', 'JO', 'JP', 'KE', 'KG', 'KH', 'KI', 'KM', 'KN',
  'KP', 'KR', 'KW', 'KY', 'KZ', 'LA', 'LB', 'LC', 'LI', 'LK', 'LR', 'LS', 'LT', 'LU', 'LV', 'LY', 'MA', 'MC', 'MD', 'ME',
  'MF', 'MG', 'MH', 'MK', 'ML', 'MM', 'MN', 'MO', 'MP', 'MQ', 'MR', 'MS', 'MT', 'MU', 'MV', 'MW', 'MX', 'MY', 'MZ', 'NA',
  'NC', 'NE', 'NF', 'NG', 'NI', 'NL', 'NO', 'NP', 'NR', 'NU', 'NZ', 'OM', 'PA', 'PE', 'PF', 'PG', 'PH', 'PK', 'PL', 'PM',
  'PN', 'PR', 'PS', 'PT', 'PW', 'PY', 'QA', 'RE', 'RO', 'RS', 'RU', 'RW', 'SA', 'SB', 'SC', 'SD', 'SE', 'SG', 'SH', 'SI',
  'SJ', 'SK', 'SL', 'SM', 'SN', 'SO', 'SR', 'SS', 'ST', 'SV', 'SX', 'SY', 'SZ', 'TC', 'TD', 'TF', 'TG', 'TH', 'TJ', 'TK',
  'TL', 'TM', 'TN', 'TO', 'TR', 'TT', 'TV', 'TW', 'TZ', 'UA', 'UG', 'UM', 'US', 'UY', 'UZ', 'VA', 'VC', 'VE', 'VG', 'VI',
  'VN', 'VU', 'WF', 'WS', 'YE', 'YT', 'ZA', 'ZM', 'ZW',
] as const;

export const countryCode = z.enum(COUNTRY_CODES);
export type CountryCode = z.output<typeof countryCode>;

/** Routing schemes whose address is a BIC (ISO 9362), as OBP banks name them. */
export const BIC_SCHEMES = ['BIC', 'SWIFT_BIC'] as const;
/** Bank attribute names that hold the bank's country, compared in upper case without `_`, `-` or spaces. */
export const COUNTRY_ATTRIBUTES = ['COUNTRY', 'COUNTRYCODE'] as const;

type Routing = { scheme: string; address: string };
type Attribute = { name: string; value: string | null };

const asCountry = (code: string): CountryCode | null => countryCode.safeParse(code).data ?? null;

/**
 * The country of an IBAN (ISO 13616): its first two letters, when the address is an IBAN at all:
 * spaces aside, a country code, two check digits, 11 to 30 letters or digits, and the mod-97 check
 * holds. A placeholder such as OBP's sandbox "BA12 1234 …" fails the check and says nothing.
 */
export function ibanCountry(address: string): CountryCode | null {
  const iban = address.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return null;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1 ? asCountry(iban.slice(0, 2)) : null;
}

/** The country of a BIC (ISO 9362): letters 5-6 of `BNPAFRPP` or `BNPAFRPPXXX`. */
export function bicCountry(address: string): CountryCode | null {
  const bic = address.replace(/\s+/g, '').toUpperCase();
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic) ? asCountry(bic.slice(4, 6)) : null;
}

/** The first account routing (IBAN scheme) that is a valid IBAN. */
export function accountCountry(routings: readonly Routing[]): CountryCode | null {
  for (const r of routings) {
    const country = r.scheme.toUpperCase() === 'IBAN' ? ibanCountry(r.address) : null;
    if (country) return country;
  }
  return null;
}

/** Where OBP says a bank is: its first valid BIC, else a country attribute holding an ISO 3166 code. */
export function bankCountry(routings: readonly Routing[], attributes: readonly Attribute[]): CountryCode | null {
  for (const r of routings) {
    const country = (BIC_SCHEMES as readonly string[]).includes(r.scheme.toUpperCase()) ? bicCountry(r.address) : null;
    if (country) return country;
  }
  for (const a of attributes) {
    const name = a.name.toUpperCase().replace(/[\s_-]/g, '');
    const country = (COUNTRY_ATTRIBUTES as readonly string[]).includes(name) && a.value ? asCountry(a.value.trim().toUpperCase()) : null;
    if (country) return country;
  }
  return null;
}
