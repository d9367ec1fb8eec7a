/* Recorded opponents (docs/protocol.md, revision 6): after waiting alone, `ghost_ready`
 * offers a recording on the waiting screen ("Play a recorded opponent"); the button sends
 * `ghost`. A live opponent found first simply starts the battle (the offer goes with the
 * waiting screen); `no_ghost` says the offer is gone and the wait goes on. A battle against
 * a recording says so on the battle screen and the result screen:
 * "Recording of <name>, played 2 days ago".
 */

import { $, make, setText, announce } from "./dom.js";
import { on, send } from "./connection.js";
import { state, onScreen } from "./state.js";
import { waitingSlot } from "./lobby.js";
import { onBattleShown } from "./battle-view.js";
import { onResult } from "./result-view.js";

let offer = null; // the offer's node on the waiting screen

// "played just now / 5 minutes ago / 3 hours ago / 2 days ago", from seconds since the epoch
export function playedAgo(recordedAt, nowMs) {
  const seconds = Math.max(0, (nowMs === undefined ? Date.now() : nowMs) / 1000 - recordedAt);
  const units = [[86400, "day"], [3600, "hour"], [60, "minute"]];
  for (const [size, unit] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return "played " + n + " " + unit + (n === 1 ? "" : "s") + " ago";
  }
  return "played just now";
}

export function recordingLine(name, recordedAt) {
  return "Recording of " + name + ", " + playedAgo(recordedAt);
}

function withdraw() {
  if (offer) offer.remove();
  offer = null;
  const slot = waitingSlot();
  if (slot && !slot.childElementCount) slot.hidden = true;
}

on("ghost_ready", (message) => {
  const slot = waitingSlot();
  if (!slot || state.screen !== "waiting") return;
  withdraw();
  offer = make("div", "ghost-offer");
  offer.id = "ghost-offer";
  const title = make("p", "ghost-offer__title", "Nobody free right now? Play a recorded opponent.");
  const who = make("p", "ghost-offer__who", recordingLine(message.name, message.recorded_at) +
    ": their real answers, at their real speed. Not rated.");
  who.id = "ghost-offer-who";
  const button = make("button", "button button--primary", "Play the recording");
  button.type = "button";
  button.id = "ghost-play";
  button.addEventListener("click", () => {
    if (send({ type: "ghost" })) {
      button.disabled = true;
      setText(button, "Starting…");
    }
  });
  offer.append(title, who, button);
  slot.appendChild(offer);
  slot.hidden = false;
  announce("A recorded opponent is ready: " + message.name + ".");
});

on("error", (message) => {
  if (message.code !== "no_ghost") return false;
  withdraw();
  announce("That recording is no longer on offer: still looking for an opponent.");
  return true;
});

onScreen((name) => { if (name !== "waiting") withdraw(); });

// The battle against a recording: say so under the battle bar.
onBattleShown((battle) => {
  let note = $("recording-note");
  if (!battle || !battle.recording) {
    if (note) note.hidden = true;
    return;
  }
  if (!note) {
    note = make("p", "recording-note");
    note.id = "recording-note";
    note.setAttribute("role", "note");
    const bar = $("battlebar");
    if (bar && bar.parentNode) bar.parentNode.insertBefore(note, bar.nextSibling);
  }
  setText(note, recordingLine(battle.opponent.name, battle.recording.recorded_at) + " · not rated");
  note.hidden = false;
});

onResult((end, battle, { actions }) => {
  if (!battle || !battle.recording) return;
  const line = make("p", "recording-note recording-note--result",
    "You played against a recording: " + recordingLine(battle.opponent.name, battle.recording.recorded_at) +
    ". It counts in your history, never in ratings.");
  line.id = "recording-result";
  actions.appendChild(line);
});
