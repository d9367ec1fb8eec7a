/* The result screen's "My answer should count" (docs/protocol.md rev 6, `appeal`).
 *
 * A question's review item gets the button when the player typed something there and did
 * not score it by typing: the judge refused it. A click sends `appeal`; `appealed` (to every
 * tab of the player) turns it into "Sent to the moderators"; an `error` answering it shows
 * the error's message. Importing this module (one line in main.js) wires it in.
 */

import { on, send } from "./connection.js";
import { addReviewControl } from "./result-view.js";

const SENT = "Sent to the moderators";
const SENDING = "Sending…";
const LABEL = "My answer should count";
// Refusals after which trying again cannot help: the button stays off.
const FINAL = new Set(["nothing_to_appeal", "already_appealed", "not_in_battle", "bad_message", "banned"]);
// What may answer an `appeal` (anything else is about something else).
const ANSWERS = new Set([...FINAL, "rate_limited"]);

const shown = [];    // {q, button}: the buttons on the result screen now
const waiting = [];  // {q, button}: sent from this tab, no answer yet (answers come in order)

// True when `playerId` typed on this question and the typing did not score.
export function refusedTyped(item, playerId) {
  const typed = (item && item.typed && item.typed[playerId]) || [];
  return typed.length > 0 && !(item.by === playerId && item.how === "typed");
}

// The button for one review item, or null when there is nothing to appeal there.
export function appealButton(item, playerId, send) {
  if (!refusedTyped(item, playerId) || typeof item.q !== "number") return null;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button--ghost appeal-button";
  button.textContent = LABEL;
  button.addEventListener("click", () => {
    if (button.disabled) return;
    if (send({ type: "appeal", q: item.q }) === false) return; // not connected: it said so
    button.disabled = true;
    button.textContent = SENDING;
    waiting.push({ q: item.q, button: button });
  });
  for (let i = shown.length - 1; i >= 0; i -= 1) if (!shown[i].button.isConnected) shown.splice(i, 1);
  shown.push({ q: item.q, button: button });
  return button;
}

function sent(button) {
  button.disabled = true;
  button.textContent = SENT;
  button.classList.add("appeal-button--sent");
}

// `appealed`: every button for that question on the screen (this tab or another one sent it).
export function onAppealed(message) {
  for (let i = waiting.length - 1; i >= 0; i -= 1) if (waiting[i].q === message.q) waiting.splice(i, 1);
  shown.forEach((entry) => { if (entry.q === message.q && entry.button.isConnected) sent(entry.button); });
  return true;
}

// An `error` while an appeal of this tab waits is its answer: show why on its button.
export function onAppealError(message) {
  if (!waiting.length || !ANSWERS.has(message.code)) return false;
  const entry = waiting.shift();
  entry.button.textContent = message.message || "Not sent";
  entry.button.disabled = FINAL.has(message.code);
  return true;
}

// Listen for the answers and give each review item its button (result-view.js calls it with
// {me, them, battle}); `listen` is connection.js's `on`.
export function installAppeals(listen, addControl, sendMessage) {
  listen("appealed", onAppealed);
  listen("error", onAppealError);
  addControl((item, context) => appealButton(item, context && context.me, sendMessage));
}

installAppeals(on, addReviewControl, send);
