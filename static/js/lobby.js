/* The lobby and the waiting screen: join the queue, cancel, and while waiting say for
 * how long (ticking locally from the server's `waiting.waited`) and how many others are
 * online who could be my opponent (`waiting.others`, then GET /api/status).
 *
 * Other modules show something on the waiting screen by appending to waitingSlot()
 * (ghost.js offers a recorded opponent there), and hear every `waiting` with
 * on("waiting", fn) from connection.js.
 */

import { $, setText, plural } from "./dom.js";
import { on, send } from "./connection.js";
import { app, state, showScreen, onScreen, hadFocusInApp } from "./state.js";

const STATUS_URL = (app && app.dataset.statusUrl) || "/api/status";
const STATUS_POLL_MS = 5000;
const TICK_MS = 1000;

const el = {
  lobbyNote: $("lobby-note"),
  find: $("find"),
  waitingOthers: $("waiting-online"),
  waited: $("waiting-waited"),
  cancel: $("cancel"),
  playAgain: $("play-again"),
  slot: $("waiting-slot")
};

export function waitingSlot() { return el.slot; }

export function showLobby(note) {
  state.wantPlay = false;
  setText(el.lobbyNote, note || "Press the button and we will find you someone to play.");
  const hadFocus = hadFocusInApp();
  showScreen("lobby");
  if (hadFocus) el.find.focus(); // keep the keyboard user's place; on page load, leave focus alone
}

export function joinQueue() {
  state.wantPlay = true;
  if (send({ type: "play" })) showWaiting(null);
}

// --- how long I have waited: the server's figure, ticking here between messages

let waitedBase = 0;       // seconds waited when waitedAt was taken
let waitedAt = 0;         // performance.now() of that figure
let tickTimer = null;

function clock(total) {
  const s = Math.max(0, Math.floor(total));
  const m = Math.floor(s / 60);
  return m + ":" + String(s % 60).padStart(2, "0");
}

function renderWaited() {
  const total = waitedBase + (performance.now() - waitedAt) / 1000;
  setText(el.waited, "Waiting " + clock(total));
}

function startTicking(waited) {
  waitedBase = Math.max(0, Number(waited) || 0);
  waitedAt = performance.now();
  renderWaited();
  if (!tickTimer) tickTimer = window.setInterval(renderWaited, TICK_MS);
}

function stopTicking() {
  if (tickTimer) window.clearInterval(tickTimer);
  tickTimer = null;
}

// --- who else is online

function setOthers(n) {
  setText(el.waitingOthers, n > 0 ? plural(n, "other player", "other players") + " online"
                                   : "Nobody else online right now");
}

let statusTimer = null;

function pollStatus() {
  fetch(STATUS_URL, { cache: "no-store", headers: { "Accept": "application/json" } })
    .then((r) => (r.ok ? r.json() : null))
    .then((body) => {
      // `online` counts me too: I am connected while I wait.
      if (body && typeof body.online === "number" && state.screen === "waiting") setOthers(Math.max(0, body.online - 1));
    })
    .catch(() => { /* the next poll will tell */ });
}

function startStatusPoll() {
  stopStatusPoll();
  statusTimer = window.setInterval(pollStatus, STATUS_POLL_MS);
}

function stopStatusPoll() {
  if (statusTimer) window.clearInterval(statusTimer);
  statusTimer = null;
}

function showWaiting(message) {
  if (state.screen !== "waiting") {
    const hadFocus = hadFocusInApp();
    setText(el.waitingOthers, "Counting players…");
    setText(el.waited, "");
    showScreen("waiting");
    if (hadFocus) el.cancel.focus();
    startStatusPoll();
  }
  if (message && typeof message.others === "number") setOthers(message.others);
  else if (message && typeof message.online === "number") setOthers(Math.max(0, message.online - 1));
  if (message) startTicking(message.waited);
}

onScreen((name) => {
  if (name !== "waiting") {
    stopStatusPoll();
    stopTicking();
  }
});

on("waiting", (message) => {
  state.wantPlay = true;
  if (state.screen === "battle") return; // a late echo; the battle wins
  showWaiting(message);
});

on("welcome", (message) => {
  state.me = message.player || state.me;
  if (message.resumed) return; // `battle`, then the question or the last reveal, follow
  if (state.screen === "battle") {
    // We were in a battle that finished while we were away.
    state.battle = null;
    showLobby("Your battle ended while you were disconnected. Fancy another?");
    return;
  }
  if (state.screen === "result" && !state.wantPlay) return;
  if (state.wantPlay) joinQueue();
  else showLobby("");
});

on("error", (message) => {
  if (message.code === "no_questions") {
    showLobby(message.message ? "No battle this time: " + message.message + "." : "There are no questions to play yet.");
    return true;
  }
  return false;
});

el.find.addEventListener("click", joinQueue);
el.playAgain.addEventListener("click", joinQueue);
el.cancel.addEventListener("click", () => {
  state.wantPlay = false;
  send({ type: "cancel" });
  showLobby("You left the queue.");
});
