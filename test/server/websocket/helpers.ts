// A bare `ws` client for the WebSocket server tests: frames in, parsed frames out, in order.
import { WebSocket } from 'ws';

export { wsServer } from '../../loopback.js';

export class TestClient {
  private readonly queue: unknown[] = [];
  private readonly waiting: Array<(message: unknown) => void> = [];
  readonly closed: Promise<{ code: number }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const waiter = this.waiting.shift();
      if (waiter) waiter(message);
      else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }

  /** Sends an object as JSON, a string as a text frame, bytes as a binary frame. */
  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame));
  }

  /** The next frame the server sent (parsed); rejects after `ms`. */
  next(ms = 3000): Promise<any> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error('no frame from the server'));
      }, ms);
      const waiter = (message: unknown) => {
        clearTimeout(timer);
        resolve(message);
      };
      this.waiting.push(waiter);
    });
  }

  /** Sends `frame` and waits for the answer. */
  async call(frame: unknown): Promise<any> {
    this.send(frame);
    return this.next();
  }

  /** Whether a frame arrives within `ms` (for notifications, which must get none). */
  async silentFor(ms: number): Promise<boolean> {
    if (this.queue.length > 0) return false;
    return this.next(ms).then(
      () => false,
      () => true,
    );
  }

  close(): void {
    this.ws.close();
  }
}
