/**
 * Which `tz` names a policy may use. Two engines read them: aegis's own (Intl, i.e. ICU) and
 * OPA (Go's `time.LoadLocation`, which opens `<zoneinfo>/<name>` from the IANA database, so its
 * lookup is case-sensitive on Linux and `us/eastern` makes every `time` test false there).
 * A name is accepted only when both would take it:
 * - Intl knows it (so the native engine can evaluate it), and
 * - it is spelled exactly as the IANA database spells it: a canonical ICU name, `UTC`, or one
 *   of the IANA "backward" links below (US/Eastern, Asia/Kolkata, ...). Intl cannot tell us
 *   a link's own spelling (it answers with the canonical zone), hence the list.
 * Go's special names (`Local`, the empty string) are refused: they depend on the machine.
 */
import { closestMatch } from './schema/closest-match.js';

/**
 * Links (and a few zones ICU treats as links) from the IANA tz database 2025b, the names in
 * `/usr/share/zoneinfo` that `Intl.supportedValuesOf('timeZone')` does not list.
 */
const IANA_LINKS = `
Africa/Asmara Africa/Timbuktu America/Argentina/Buenos_Aires America/Argentina/Catamarca
America/Argentina/ComodRivadavia America/Argentina/Cordoba America/Argentina/Jujuy
America/Argentina/Mendoza America/Atikokan America/Atka America/Ensenada America/Fort_Wayne
America/Indiana/Indianapolis America/Kentucky/Louisville America/Knox_IN America/Montreal
America/Nipigon America/Nuuk America/Pangnirtung America/Porto_Acre America/Rainy_River
America/Rosario America/Santa_Isabel America/Shiprock America/Thunder_Bay America/Virgin
America/Yellowknife Antarctica/South_Pole Asia/Ashkhabad Asia/Choibalsan Asia/Chongqing
Asia/Chungking Asia/Dacca Asia/Harbin Asia/Ho_Chi_Minh Asia/Istanbul Asia/Kashgar
Asia/Kathmandu Asia/Kolkata Asia/Macao Asia/Tel_Aviv Asia/Thimbu Asia/Ujung_Pandang
Asia/Ulan_Bator Asia/Yangon Atlantic/Faroe Atlantic/Jan_Mayen Australia/ACT Australia/Canberra
Australia/Currie Australia/LHI Australia/NSW Australia/North Australia/Queensland
Australia/South Australia/Tasmania Australia/Victoria Australia/West Australia/Yancowinna
Brazil/Acre Brazil/DeNoronha Brazil/East Brazil/West CET CST6CDT Canada/Atlantic
Canada/Central Canada/Eastern Canada/Mountain Canada/Newfoundland Canada/Pacific
Canada/Saskatchewan Canada/Yukon Chile/Continental Chile/EasterIsland Cuba EET EST EST5EDT
Egypt Eire Etc/GMT Etc/GMT+0 Etc/GMT+1 Etc/GMT+10 Etc/GMT+11 Etc/GMT+12 Etc/GMT+2 Etc/GMT+3
Etc/GMT+4 Etc/GMT+5 Etc/GMT+6 Etc/GMT+7 Etc/GMT+8 Etc/GMT+9 Etc/GMT-0 Etc/GMT-1 Etc/GMT-10
Etc/GMT-11 Etc/GMT-12 Etc/GMT-13 Etc/GMT-14 Etc/GMT-2 Etc/GMT-3 Etc/GMT-4 Etc/GMT-5 Etc/GMT-6
Etc/GMT-7 Etc/GMT-8 Etc/GMT-9 Etc/GMT0 Etc/Greenwich Etc/UCT Etc/UTC Etc/Universal Etc/Zulu
Europe/Belfast Europe/Kyiv Europe/Nicosia Europe/Tiraspol Europe/Uzhgorod Europe/Zaporozhye GB
GB-Eire GMT GMT+0 GMT-0 GMT0 Greenwich HST Hongkong Iceland Iran Israel Jamaica Japan Kwajalein
Libya MET MST MST7MDT Mexico/BajaNorte Mexico/BajaSur Mexico/General NZ NZ-CHAT Navajo PRC
PST8PDT Pacific/Chuuk Pacific/Johnston Pacific/Kanton Pacific/Pohnpei Pacific/Samoa Pacific/Yap
Poland Portugal ROC ROK Singapore Turkey UCT US/Alaska US/Aleutian US/Arizona US/Central
US/East-Indiana US/Eastern US/Hawaii US/Indiana-Starke US/Michigan US/Mountain US/Pacific
US/Samoa UTC Universal W-SU WET Zulu
`
  .trim()
  .split(/\s+/);

let canonical: Set<string> | undefined;
let spelled: Set<string> | undefined;

/**
 * The zones Intl lists as supported: it accepts each of them by definition (ECMA-402), so
 * they need no trial DateTimeFormat, whose first construction costs ~20 ms of ICU loading.
 */
function canonicalNames(): Set<string> {
  canonical ??= new Set(Intl.supportedValuesOf('timeZone'));
  return canonical;
}

/** Every correctly spelled name: ICU's canonical zones plus the IANA links. */
function spelledNames(): Set<string> {
  spelled ??= new Set([...canonicalNames(), ...IANA_LINKS]);
  return spelled;
}

function intlAccepts(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Every name `isKnownTimeZone` can accept (those Intl also knows pass it). */
export function timeZoneNames(): string[] {
  return [...spelledNames()].sort();
}

const known = new Map<string, boolean>();

/** Cached: constructing a DateTimeFormat costs about half a millisecond, per policy. */
export function isKnownTimeZone(name: string): boolean {
  let ok = known.get(name);
  if (ok === undefined) {
    ok =
      canonicalNames().has(name) ||
      // ECMA-402 requires every implementation to support UTC.
      name === 'UTC' ||
      (spelledNames().has(name) && intlAccepts(name));
    known.set(name, ok);
  }
  return ok;
}

/** The name the user probably meant: the same name with the right case, or a close spelling. */
export function suggestTimeZone(name: string): string | undefined {
  const names = [...spelledNames()];
  const lower = name.toLowerCase();
  const sameLetters = names.find((z) => z.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  if (name.length < 3) return undefined;
  return closestMatch(name, names);
}
