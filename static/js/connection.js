/* The channel: ticket, SockJS, hello, reconnect and resume, send, and a dispatch table.
 *
 * Other modules register handlers with on(type, fn); handlers of one type run in the
 * order they were registered, and one that returns true stops the rest (an `error`
 * handler that dealt with its code, say). The server owns the game and the clock:
 * this module only carries messages.
 */

import { app } from "./state.js";
import { $, setText, toast } from "./dom.js";

const TICKET_URL = (app && app.dataset.ticketUrl) || "/api/ticket";
const SOCKJS_PATH = (app && app.dataset.sockjsPath) || "/sockjs";
const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 10000;
// Turned away for too many open connections from this address: retrying at once only
// takes another slot, so wait longer and say why.
const TURNED_AWAY_RETRY_MS = 30000;
// After `restarting`, the server closes once battles are over; the next one takes a few
// seconds to listen, so the first reconnect waits this long (then the usual back-off).
const RESTART_RETRY_MS = 2500;
export const RESTART_NOTICE = "The server is restarting: your battle will finish, then reconnect in a moment.";

const handlers = Object.create(null);
const fallbacks = Object.create(null);
const lostListeners = [];

export function on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); }

// fn(message) runs when no handler of `type` returned true (whatever the import order).
export function otherwise(type, fn) { fallbacks[type] = fn; }

// fn() runs when the connection drops (stop the timer, ...).
export function onLost(fn) { lostListeners.push(fn); }

function dispatch(message) {
  // A newer server may send more: what nobody registered for is ignored.
  const list = (handlers[message.type] || []).concat(fallbacks[message.type] ? [fallbacks[message.type]] : []);
  for (const fn of list) {
    try {
      if (fn(message) === true) return;
    } catch (err) {
      if (window.console) window.console.error("Kwissle: could not handle", message.type, err);
    }
  }
}

const link = {
  sock: null,
  welcomed: false,
  attempts: 0,
  reconnectTimer: null,
  wasLost: false,
  turnedAway: null,   // the server's reason, when it refused this connection outright
  restarting: false   // the server said `restarting`: its close is expected, not an error
};

export function wasLost() { return link.wasLost; }

export function setConnection(text, kind) {
  const box = $("connection");
  if (!text) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.className = "connection" + (kind ? " connection--" + kind : "");
  setText(box, text);
}

function fetchTicket() {
  return fetch(TICKET_URL, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { "Accept": "application/json" }
  }).then((response) => response.json().catch(() => ({})).then((body) => {
    if (!response.ok || !body.ticket) {
      const message = body && body.error && body.error.message;
      throw new Error(message || "Could not get a ticket (HTTP " + response.status + ")");
    }
    return body.ticket;
  }));
}

export function connect() {
  link.reconnectTimer = null;
  if (typeof window.SockJS !== "function") {
    setConnection("The real-time library did not load. Reload the page to try again.", "bad");
    return;
  }
  if (link.wasLost) setConnection("Reconnecting…", "warn");
  fetchTicket().then((ticket) => {
    const s = new window.SockJS(SOCKJS_PATH);
    link.sock = s;
    link.welcomed = false;
    s.onopen = () => {
      if (s === link.sock) s.send(JSON.stringify({ type: "hello", ticket: ticket }));
    };
    s.onmessage = (event) => {
      if (s !== link.sock) return;
      let message;
      try { message = JSON.parse(event.data); } catch (err) { return; }
      if (message && typeof message === "object" && typeof message.type === "string") dispatch(message);
    };
    s.onclose = () => {
      if (s !== link.sock) return;
      link.sock = null;
      link.welcomed = false;
      lost();
    };
  }).catch((err) => lost(err && err.message));
}

function lost(reason) {
  link.wasLost = true;
  if (link.reconnectTimer) return;
  const next = nextTry(reason);
  setConnection(next.text, next.kind);
  lostListeners.forEach((fn) => fn());
  link.reconnectTimer = window.setTimeout(connect, next.delay);
}

function jittered(ms) { return Math.round(ms * (0.75 + Math.random() * 0.5)); }
function backoffMs() { return Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * Math.pow(2, link.attempts)); }

// How long to wait before the next try, and what to tell the player meanwhile.
function nextTry(reason) {
  let delay;
  if (link.restarting) {
    // Expected: say so calmly, wait a moment first, and keep saying it until we are back.
    delay = jittered(link.attempts === 0 ? RESTART_RETRY_MS : backoffMs());
    link.attempts += 1;
    return { delay: delay, text: "The server is restarting — reconnecting in a moment…", kind: "" };
  }
  if (link.turnedAway) {
    const why = link.turnedAway.replace(/[.\s]+$/, "");
    link.turnedAway = null;
    return { delay: TURNED_AWAY_RETRY_MS, kind: "bad",
             text: why + ". Retrying in " + TURNED_AWAY_RETRY_MS / 1000 + " s…" };
  }
  delay = jittered(backoffMs());
  link.attempts += 1;
  const secs = Math.max(1, Math.round(delay / 1000));
  const text = reason ? "Could not connect: " + String(reason).replace(/[.\s]+$/, "") + ". Retrying in " + secs + " s…"
    : link.attempts <= 2 ? "Connection lost — reconnecting…"
    : "Still offline — retrying in " + secs + " s…";
  return { delay: delay, text: text, kind: "warn" };
}

function reconnectNow() {
  if (link.reconnectTimer) {
    window.clearTimeout(link.reconnectTimer);
    connect();
  }
}

window.addEventListener("online", reconnectNow);

export function send(message) {
  if (!link.sock || !link.welcomed) {
    toast("Not connected right now — hold on, reconnecting…", "warn");
    return false;
  }
  link.sock.send(JSON.stringify(message));
  return true;
}

export function restartingNow() {
  link.restarting = true;
  setConnection(RESTART_NOTICE, "");
}

// The connection's own part of `welcome` and `error`; registered before anyone else's.
on("welcome", () => {
  const wasLostBefore = link.wasLost;
  link.welcomed = true;
  link.attempts = 0;
  link.restarting = false;
  if (wasLostBefore) {
    setConnection("Reconnected.", "good");
    window.setTimeout(() => { if (link.welcomed) setConnection(""); }, 1800);
  } else {
    setConnection("");
  }
  link.wasLost = false;
});

// Battles go on; a player waiting for an opponent is queued again once reconnected.
on("restarting", () => { restartingNow(); });

on("error", (message) => {
  if (message.code === "too_many_connections") {
    // The server closes this connection next; lost() says why and waits before retrying.
    link.turnedAway = "Kwissle is open in too many tabs or devices on your network: close one";
    return true;
  }
  if (message.code === "bad_ticket") {
    // An expired ticket: reconnect with a fresh one.
    if (link.sock) link.sock.close();
    return true;
  }
  return false;
});
