/**
 * The numeric flag parsers of the CLI: decimal digits only, range-checked. Number() read ''
 * as 0 (`serve --port ''` listened on a random port), `0x10` as 16, `1e3` as 1000, and
 * ignored surrounding spaces.
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { byteSize, portNumber, positiveInt } from '../src/cli.js';

const NOT_DECIMAL = [
  '',
  ' ',
  ' 8080',
  '8080 ',
  '80 80',
  '0x10',
  '0o10',
  '0b1',
  '1e3',
  '1.0',
  '+5',
  '-1',
  '٣',
  'Infinity',
  'NaN',
];

describe('portNumber', () => {
  it.each([
    ['0', 0],
    ['8282', 8282],
    ['65535', 65535],
    ['08080', 8080],
  ])('reads %j as %i', (text, port) => {
    expect(portNumber(text)).toBe(port);
  });
  it.each([...NOT_DECIMAL, '65536', '99999999999999999999'])('refuses %j', (text) => {
    expect(() => portNumber(text)).toThrow(InvalidArgumentError);
    expect(() => portNumber(text)).toThrow('expected a port, 0-65535');
  });
});

describe('positiveInt', () => {
  it.each([
    ['1', 1],
    ['5', 5],
    ['1000', 1000],
  ])('reads %j as %i', (text, n) => {
    expect(positiveInt(text)).toBe(n);
  });
  it.each([...NOT_DECIMAL, '0', '9007199254740993'])('refuses %j', (text) => {
    expect(() => positiveInt(text)).toThrow('expected a positive integer');
  });
});

describe('byteSize', () => {
  it.each([
    ['524288', 524288],
    ['1k', 1024],
    ['10M', 10 * 1024 ** 2],
    ['10MiB', 10 * 1024 ** 2],
    ['1g', 1024 ** 3],
  ])('reads %j as %i', (text, n) => {
    expect(byteSize(text)).toBe(n);
  });
  it.each([...NOT_DECIMAL, ' 10M', '10M ', '10 M', '0', '0k', 'lots', '99999999999g'])(
    'refuses %j',
    (text) => {
      expect(() => byteSize(text)).toThrow(InvalidArgumentError);
    },
  );
});
