// Writes tests/data/lunar-reference.tsv and tests/data/lunar-disagreements.tsv: the Vietnamese
// lunar calendar (UTC+7) as two independent implementations compute it, so that dunghen's own
// core/lunar.c can be checked against them.
//
//   amlich        Ho Ngoc Duc's algorithm (Meeus' truncated new-moon series, a low-precision
//                 solar longitude): the reference for Vietnamese calendars.
//   date-chinese  CalendarVietnamese: Meeus' full new-moon series, VSOP87 apparent solar
//                 longitude and a tabulated Delta T (the astronomia package).
//
// date-chinese switches Vietnam to UTC+8 before 1968 (the historical Chinese zone). dunghen
// applies the Vietnamese rule at UTC+7 for every year, so the script pins it to UTC+7: any
// remaining disagreement is astronomy, never the time zone.
//
// Usage: npm install && node generate.mjs   (from tools/lunar-reference)
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

import { CalendarVietnamese } from 'date-chinese'
import { deltat, julian, moonphase, planetposition, solar } from 'astronomia'
import vsop87Bearth from 'astronomia/data/vsop87Bearth'

const require = createRequire(import.meta.url)
const amlich = require('amlich')

const TIME_ZONE = 7
const FIRST_YEAR = 1900
const LAST_YEAR = 2199
const here = dirname(fileURLToPath(import.meta.url))
const dataDirectory = join(here, '..', '..', 'tests', 'data')

class CalendarVietnameseUtc7 extends CalendarVietnamese {
  timeshiftUTC () {
    return TIME_ZONE / 24
  }
}

const pad = (number, width) => String(number).padStart(width, '0')
const isoDate = (year, month, day) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`

function amlichToSolar (year, month, leap, day) {
  const [d, m, y] = amlich.convertLunar2Solar(day, month, year, leap ? 1 : 0, TIME_ZONE)
  if (y === 0) throw new Error(`amlich: no lunar ${year}-${month}-${day}${leap ? ' leap' : ''}`)
  return isoDate(y, m, d)
}

function dateChineseToSolar (year, month, leap, day) {
  const calendar = new CalendarVietnameseUtc7()
  calendar.set(0, 0, month, leap, day)
  const { year: y, month: m, day: d } = calendar.toGregorian(year)
  return isoDate(y, m, d)
}

// The precise astronomy behind a disagreement, for the explanation column: local (UTC+7) times
// of the new moons and principal terms (multiples of 30 degrees of solar longitude) near a date.
const earth = new planetposition.Planet(vsop87Bearth)

// A JDE (dynamical time) as local civil time, seconds included: UT = TT - Delta T.
function localTime (jde) {
  const calendar = new julian.CalendarGregorian().fromJDE(jde + TIME_ZONE / 24)
  const seconds = Math.round((calendar.day - Math.floor(calendar.day)) * 86400)
  const clock = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}` +
    `:${pad(seconds % 60, 2)}`
  return `${isoDate(calendar.year, calendar.month, Math.floor(calendar.day))} ${clock}`
}

function decimalYear (isoText) {
  const [y, m, d] = isoText.split('-').map(Number)
  return new julian.CalendarGregorian(y, m, d).toYear()
}

function newMoonNear (isoText) {
  return localTime(moonphase.newMoon(decimalYear(isoText)))
}

function principalTermsBetween (fromIso, toIso) {
  const start = new julian.CalendarGregorian(...fromIso.split('-').map(Number)).toJDE()
  const end = new julian.CalendarGregorian(...toIso.split('-').map(Number)).toJDE()
  const terms = []
  let previous = solar.apparentVSOP87(earth, start).lon
  for (let jde = start + 0.25; jde <= end; jde += 0.25) {
    const longitude = solar.apparentVSOP87(earth, jde).lon
    const sector = (lon) => Math.floor((lon * 180) / Math.PI / 30)
    if (sector(longitude) !== sector(previous)) {
      let low = jde - 0.25
      let high = jde
      for (let i = 0; i < 40; i++) {
        const middle = (low + high) / 2
        if (sector(solar.apparentVSOP87(earth, middle).lon) === sector(previous)) low = middle
        else high = middle
      }
      terms.push(`${sector(longitude) * 30} deg at ${localTime(high)}`)
    }
    previous = longitude
  }
  return terms
}

function shiftIso (isoText, days) {
  const [y, m, d] = isoText.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d + days))
  date.setUTCFullYear(y, m - 1, d + days)
  return isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())
}

function daysBetween (fromIso, toIso) {
  const toUtc = (text) => Date.UTC(...text.split('-').map((part, i) => Number(part) - (i === 1)))
  return Math.round((toUtc(toIso) - toUtc(fromIso)) / 86400000)
}

// Says why the two disagree and which one dunghen follows. A one-day difference is a new moon
// close to local midnight; anything else is a different month numbering (principal terms).
function explain (row) {
  const [earlier, later] = [row.amlich, row.dateChinese].sort()
  const follow = `dunghen follows amlich, the Ho Ngoc Duc reference algorithm: ${row.amlich}`
  if (daysBetween(earlier, later) === 1) {
    const jde = moonphase.newMoon(decimalYear(later))
    const moon = localTime(jde)
    const [y, m, d] = later.split('-').map(Number)
    const midnight = new julian.CalendarGregorian(y, m, d).toJD() - TIME_ZONE / 24
    const deltaT = deltat.deltaT(decimalYear(later))
    const margin = Math.round((jde - deltaT / 86400 - midnight) * 86400)
    const side = margin < 0 ? `${-margin} s before` : `${margin} s after`
    return `new moon at ${moon} UTC+7 by Meeus' full series and Delta T = ${Math.round(deltaT)} s` +
      ` (astronomia, as date-chinese uses), ${side} local midnight of ${later}; amlich's` +
      ' truncated series and its own Delta T put it on the other side. Delta T this far ahead' +
      ' is uncertain by minutes, more than the margin, so astronomy cannot settle the day;' +
      ` ${follow}`
  }
  const terms = principalTermsBetween(shiftIso(earlier, -60), shiftIso(later, 30))
  return `the month numbering differs (leap month or month 11); principal terms (UTC+7):` +
    ` ${terms.join(', ')}; ${follow}`
}

function monthStarts () {
  const rows = []
  const start = new Date(Date.UTC(FIRST_YEAR, 0, 1))
  const end = new Date(Date.UTC(LAST_YEAR, 11, 31))
  for (let date = start; date <= end; date = new Date(date.getTime() + 86400000)) {
    const y = date.getUTCFullYear()
    const m = date.getUTCMonth() + 1
    const d = date.getUTCDate()
    const [day, month, year, leap] = amlich.convertSolar2Lunar(d, m, y, TIME_ZONE)
    if (day === 1) rows.push(['month', year, month, leap, 1, isoDate(y, m, d), '-'])
  }
  return rows
}

function main () {
  const holidays = []
  const disagreements = []
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
    for (const [kind, month, day] of [['tet', 1, 1], ['gio_to', 3, 10]]) {
      const row = {
        kind,
        year,
        month,
        day,
        amlich: amlichToSolar(year, month, false, day),
        dateChinese: dateChineseToSolar(year, month, false, day)
      }
      holidays.push([kind, year, month, 0, day, row.amlich, row.dateChinese])
      if (row.amlich !== row.dateChinese) disagreements.push(row)
    }
  }
  const header = [
    '# The Vietnamese lunar calendar at UTC+7 from two independent implementations.',
    '# Written by tools/lunar-reference/generate.mjs; do not edit by hand.',
    '# tet/gio_to rows: lunar 1/1 and 10/3 of each lunar year 1900-2199 from amlich (Ho Ngoc Duc)',
    '# and date-chinese (CalendarVietnamese pinned to UTC+7). month rows: the solar date of',
    '# every lunar month\'s day 1 from amlich, for solar dates 1900-01-01..2199-12-31',
    '# (date_chinese is "-" there). leap is 1 for a leap month.',
    'kind\tlunar_year\tlunar_month\tleap\tlunar_day\tamlich\tdate_chinese'
  ]
  const lines = [...header, ...holidays.map((r) => r.join('\t')),
    ...monthStarts().map((r) => r.join('\t'))]
  writeFileSync(join(dataDirectory, 'lunar-reference.tsv'), lines.join('\n') + '\n')

  const disagreementLines = disagreements.map((row) =>
    [row.kind, row.year, row.month, row.day, row.amlich, row.dateChinese, explain(row)].join('\t'))
  const disagreementHeader = [
    '# Where amlich and date-chinese (both at UTC+7) disagree on Tet or Gio To 1900-2199.',
    '# Written by tools/lunar-reference/generate.mjs; do not edit by hand.',
    'kind\tlunar_year\tlunar_month\tlunar_day\tamlich\tdate_chinese\texplanation'
  ]
  writeFileSync(join(dataDirectory, 'lunar-disagreements.tsv'),
    [...disagreementHeader, ...disagreementLines].join('\n') + '\n')
  process.stderr.write(`${holidays.length} holiday rows, ${disagreements.length} disagreements\n`)
}

main()
