// The central system's live event stream (/api/v1/events) with reconnection: listeners get
// each event object; `state` tells the header whether we are live.

import { signal } from "../state.js";

const RETRY_MS = [500, 1000, 2000, 5000];

export class EventStream {
  /**
   * @param {() => string} url the stream's URL with the current API key
   * @param {() => Promise<unknown>} probe a REST call with the same key: a browser cannot read
   *   why a handshake was refused, so a stream that closes before it was ready asks the API
   */
  constructor(url, probe) {
    this.url = url;
    this.probe = probe;
    this.state = signal("offline"); // offline | connecting | live | refused
    this.listeners = new Set();
    this.readyListeners = new Set();
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
  }

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called on every (re)connection, when events may have been missed: reload state. */
  onReady(listener) {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  connect() {
    this.close();
    this.state.set("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.event === "stream.ready") {
        this.attempt = 0;
        this.state.set("live");
        this.readyListeners.forEach((listener) => listener());
        return;
      }
      if (event.event === "stream.lagged") {
        this.readyListeners.forEach((listener) => listener());
        return;
      }
      this.listeners.forEach((listener) => listener(event));
    };
    socket.onclose = async (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const neverReady = this.state.value === "connecting";
      this.state.set("offline");
      if (close.code === 1008 || (neverReady && (await this.refused()))) {
        // A wrong key: retrying will not help; new settings reconnect (main.js).
        if (this.socket === null) this.state.set("refused");
        return;
      }
      if (this.socket !== null) return; // reconnected meanwhile (new settings)
      const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  async refused() {
    try {
      await this.probe();
      return false;
    } catch (error) {
      return error.status === 401;
    }
  }

  close() {
    clearTimeout(this.timer);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close();
    }
  }
}
