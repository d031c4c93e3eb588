import { describe, expect, it } from 'vitest';
import { defaultPort, splitAddress, urlHost, urlPort } from '../../../src/rpcinfo/conventions/address.js';

describe('defaultPort', () => {
  it('is 80 for http and ws, 443 for https and wss, unknown otherwise', () => {
    expect([defaultPort('http:'), defaultPort('ws:'), defaultPort('https:'), defaultPort('wss:'), defaultPort('ftp:')]).toEqual([80, 80, 443, 443, undefined]);
  });
});

describe('urlPort and urlHost', () => {
  it('reads a URL as OpenTelemetry wants it', () => {
    expect(urlPort(new URL('wss://h/x'))).toBe(443);
    expect(urlPort(new URL('http://h:8080/x'))).toBe(8080);
    expect(urlHost(new URL('http://[::1]:8080/'))).toBe('::1');
    expect(urlHost(new URL('http://example.com/'))).toBe('example.com');
  });
});

describe('splitAddress', () => {
  it.each([
    ['', undefined],
    ['https://api.example.com', { host: 'api.example.com', port: 443 }],
    ['ws://h:9000/rpc', { host: 'h', port: 9000 }],
    ['http://[::1]', { host: '::1', port: 80 }],
    ['example.com', { host: 'example.com' }],
    ['example.com:8080', { host: 'example.com', port: 8080 }],
    ['example.com:http', { host: 'example.com:http' }],
    ['example.com:70000', { host: 'example.com' }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['[::1]', { host: '::1' }],
    ['::1', { host: '::1' }],
    ['10.0.0.1:443', { host: '10.0.0.1', port: 443 }],
    ['bad://[', undefined],
  ])('%j', (address, expected) => {
    expect(splitAddress(address)).toEqual(expected);
  });
});
