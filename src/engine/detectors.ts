/**
 * The built-in sanitize detectors (POLICY-LANGUAGE.md section 6): one RE2 pattern each, the
 * single table every engine and the README use. Patterns avoid lookaround and backreferences
 * (RE2 has neither) and cannot match the empty string. `\b` is ASCII word boundary in RE2 and
 * in re2js alike.
 */
import type { DetectorName } from '../policy/types.js';

export interface Detector {
  regex: string;
  example: string;
  description: string;
}

export const DETECTORS = {
  ssn: {
    regex: String.raw`\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b`,
    example: '123-45-6789',
    description: 'US social security number, dashed',
  },
  email: {
    regex: String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`,
    example: 'jane.doe@example.com',
    description: 'e-mail address',
  },
  credit_card: {
    regex: String.raw`\b(?:[0-9]{4}[ -]?){3}[0-9]{1,7}\b`,
    example: '4111 1111 1111 1111',
    description:
      'payment card number: 13 to 19 digits in groups of four, spaces or dashes optional',
  },
  phone: {
    regex: String.raw`\+?\b[0-9]{1,3}[ .-]?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}\b`,
    example: '+1 415-555-0100',
    description: 'phone number, North American or international with country code',
  },
  dob: {
    regex: String.raw`\b(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\b|\b(?:0[1-9]|1[0-2])/(?:0[1-9]|[12][0-9]|3[01])/(?:19|20)[0-9]{2}\b`,
    example: '1984-07-19',
    description: 'date of birth: YYYY-MM-DD or MM/DD/YYYY',
  },
  iban: {
    regex: String.raw`\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`,
    example: 'DE89 3704 0044 0532 0130 00',
    description: 'international bank account number',
  },
  ipv4: {
    regex: String.raw`\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\b`,
    example: '192.168.10.4',
    description: 'IPv4 address',
  },
  aws_access_key: {
    regex: String.raw`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b`,
    example: 'AKIAIOSFODNN7EXAMPLE',
    description: 'AWS access key id',
  },
} as const satisfies Record<DetectorName, Detector>;
