import { describe, expect, it } from 'vitest';
import { countStream, type StreamCounter } from '../../../src/rpcinfo/sizes/counting-stream.js';
import { knownBodySize } from '../../../src/client/fetch/sizes.js';
import { utf8Length } from '../../../src/rpcinfo/sizes/utf8-length.js';

const encoder = new TextEncoder();

describe('utf8Length', () => {
  it('matches TextEncoder, surrogate pairs and lone surrogates included', () => {
    const samples = ['', 'ascii', 'héllo', '✓ — €', '𝄞 emoji 😀', '\ud800 lone high', 'lone low \udc00', 'end high \ud83d', 'x'.repeat(1000) + '日本語'];
    for (const s of samples) expect(utf8Length(s), JSON.stringify(s)).toBe(encoder.encode(s).byteLength);
    for (let i = 0; i < 200; i++) {
      const s = String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(Math.random() * 0x10000)));
      expect(utf8Length(s)).toBe(encoder.encode(s).byteLength);
    }
  });
});

describe('knownBodySize', () => {
  it('sizes what it can know without reading, and leaves the rest unknown', () => {
    const bytes = encoder.encode('héllo');
    expect(knownBodySize(undefined)).toBe(0);
    expect(knownBodySize(null)).toBe(0);
    expect(knownBodySize('héllo')).toBe(6);
    expect(knownBodySize(bytes)).toBe(6);
    expect(knownBodySize(bytes.buffer)).toBe(6);
    expect(knownBodySize(new DataView(bytes.buffer, 1, 3))).toBe(3);
    expect(knownBodySize(new Blob(['héllo', bytes]))).toBe(12);
    expect(knownBodySize(new URLSearchParams({ q: 'é ü' }))).toBe(encoder.encode(new URLSearchParams({ q: 'é ü' }).toString()).byteLength);
    expect(knownBodySize(new FormData())).toBeUndefined();
    expect(knownBodySize(new ReadableStream())).toBeUndefined();
  });
});

function recorder() {
  const log: string[] = [];
  const counter: StreamCounter = {
    onFirstRead: () => log.push('first'),
    onChunk: (n) => log.push(`chunk ${n}`),
    onEnd: () => log.push('end'),
    onError: (e) => log.push(`error ${String(e)}`),
    onCancel: (r) => log.push(`cancel ${String(r)}`),
  };
  return { log, counter };
}

describe('countStream', () => {
  it('passes chunks through unchanged, reads nothing before the consumer does, and reports the end', async () => {
    const { log, counter } = recorder();
    let pulls = 0;
    const chunks = [encoder.encode('ab'), encoder.encode('cde')];
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          const next = chunks.shift();
          if (next) c.enqueue(next);
          else c.close();
        },
      },
      { highWaterMark: 0 },
    );
    const counted = countStream(source, counter);
    await new Promise((r) => setTimeout(r, 5));
    expect(pulls).toBe(0);
    expect(source.locked).toBe(false);
    expect(await new Response(counted).text()).toBe('abcde');
    expect(log).toEqual(['first', 'chunk 2', 'chunk 3', 'end']);
  });

  it('errors with the very error of the source, and forwards cancel with its reason', async () => {
    const boom = new Error('boom');
    const failing = recorder();
    const reader = countStream(
      new ReadableStream({
        pull(c) {
          c.error(boom);
        },
      }),
      failing.counter,
    ).getReader();
    await expect(reader.read()).rejects.toBe(boom);
    expect(failing.log).toEqual(['first', 'error Error: boom']);

    let cancelled: unknown;
    const cancelling = recorder();
    await countStream(
      new ReadableStream({
        cancel(r) {
          cancelled = r;
        },
      }),
      cancelling.counter,
    ).cancel('stop');
    expect(cancelled).toBe('stop');
    expect(cancelling.log).toEqual(['cancel stop']);
  });

  it('a throwing counter never breaks the stream', async () => {
    const counter: StreamCounter = {
      onFirstRead() {
        throw 1;
      },
      onChunk() {
        throw 2;
      },
      onEnd() {
        throw 3;
      },
      onError() {
        throw 4;
      },
      onCancel() {
        throw 5;
      },
      onReading() {
        throw 6;
      },
    };
    const source = new Response('payload').body!;
    expect(await new Response(countStream(source, counter)).text()).toBe('payload');
  });
});
