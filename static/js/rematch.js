/* Rematch after `end` (docs/protocol.md, revision 6): a "Rematch" button on the result
 * screen offers the last opponent a new battle; their offer shows "<name> wants a
 * rematch" with Accept / Decline and a countdown from the server's `seconds`;
 * `rematch_over` says why the offer is off. The server times the offer and starts the
 * battle; the countdown here is display only. Not offered against a recording.
 */

import { make, setText, announce } from "./dom.js";
import { on, send } from "./connection.js";
import { state } from "./state.js";
import { onResult } from "./result-view.js";

const OVER = {
  declined: (name) => "The rematch was declined.",
  expired: (name) => "The rematch offer ran out.",
  left: (name) => name + " has left.",
  busy: (name) => name + " is playing something else now."
};

const box = { root: null, button: null, status: null, answer: null, opponent: null, ticker: null, until: 0 };

function stopTicker() {
  if (box.ticker) window.clearInterval(box.ticker);
  box.ticker = null;
}

function secondsLeft() { return Math.max(0, Math.ceil((box.until - performance.now()) / 1000)); }

function say(text) { if (box.status) setText(box.status, text); }

onResult((end, battle, { actions }) => {
  stopTicker();
  box.root = null;
  if (!battle || battle.recording) return; // a recording is nobody to rematch
  box.opponent = battle.opponent;
  box.root = make("div", "rematch");
  box.root.id = "rematch";
  box.button = make("button", "button button--primary", "Rematch");
  box.button.type = "button";
  box.button.id = "rematch-offer";
  box.status = make("p", "rematch__status");
  box.status.id = "rematch-status";
  box.status.setAttribute("role", "status");
  box.status.setAttribute("aria-live", "polite");
  box.answer = make("p", "actions rematch__answer");
  box.answer.hidden = true;
  const accept = make("button", "button button--primary", "Accept");
  accept.type = "button";
  accept.id = "rematch-accept";
  const decline = make("button", "button button--ghost", "Decline");
  decline.type = "button";
  decline.id = "rematch-decline";
  box.answer.append(accept, decline);
  box.root.append(box.button, box.status, box.answer);
  actions.appendChild(box.root);
  box.button.addEventListener("click", () => {
    if (box.button.dataset.offered === "1") send({ type: "decline_rematch" }); // withdraw
    else if (send({ type: "rematch" })) box.button.disabled = true;
  });
  accept.addEventListener("click", () => { if (send({ type: "rematch" })) say("Starting the rematch…"); });
  decline.addEventListener("click", () => { send({ type: "decline_rematch" }); });
});

on("rematch_offer", (message) => {
  if (!box.root) return;
  const mine = state.me && message.from === state.me.id;
  const name = box.opponent ? box.opponent.name : "Your opponent";
  box.until = performance.now() + message.seconds * 1000;
  const render = () => {
    const left = secondsLeft();
    say(mine ? "Rematch offered to " + name + " — waiting for an answer (" + left + " s)"
             : name + " wants a rematch (" + left + " s)");
    if (left <= 0) stopTicker();
  };
  stopTicker();
  render();
  box.ticker = window.setInterval(render, 250);
  box.answer.hidden = mine;
  box.button.hidden = !mine;
  box.button.disabled = false;
  box.button.dataset.offered = mine ? "1" : "";
  setText(box.button, mine ? "Withdraw the offer" : "Rematch");
  announce(mine ? "Rematch offered." : name + " wants a rematch.");
});

on("rematch_over", (message) => {
  if (!box.root) return;
  stopTicker();
  const name = box.opponent ? box.opponent.name : "Your opponent";
  const text = (OVER[message.reason] || OVER.declined)(name);
  say(text);
  announce(text);
  box.answer.hidden = true;
  box.button.hidden = false;
  box.button.dataset.offered = "";
  setText(box.button, "Rematch");
  // After a decline or the time running out one may ask again; gone or busy, not.
  box.button.disabled = message.reason === "left" || message.reason === "busy";
});

on("battle", () => { stopTicker(); box.root = null; });

on("error", (message) => {
  if (!box.root || (message.code !== "no_rematch" && message.code !== "already_offered")) return false;
  say(message.code === "no_rematch" ? "No rematch: " + message.message + "." : "Your offer stands: wait for the answer.");
  box.button.disabled = message.code === "no_rematch";
  return true;
});
