/* A challenge link's page (/c/<code>, kwissle/web/challenges.py): the play page with
 * data-challenge on #app and the challenge card (templates/challenge_card.html).
 *
 * The creator waits on the challenge as soon as they are welcomed and shares the link
 * (the Web Share API where there is one, else the clipboard, with a visible
 * confirmation); anyone else sees who challenges them and presses Play. Both send
 * `challenge {code}`; the server starts the battle once both wait (docs/protocol.md,
 * revision 6), and the battle screen takes over. The server decides everything: this
 * module only sends `challenge` / `cancel` and says what the server answered.
 */

import { $, setText, announce } from "./dom.js";
import { on, send } from "./connection.js";
import { app, state, onScreen } from "./state.js";

const code = app ? app.dataset.challenge : "";
const card = $("challenge-card");
const REFUSALS = {
  unknown_challenge: "This challenge does not exist.",
  challenge_expired: "This challenge has expired.",
  challenge_used: "This challenge has been taken: it had its battle, or someone else got there first.",
  already_queued: "You are already waiting for another battle.",
  in_battle: "You are in a battle already.",
  shutting_down: "The server is restarting: try again in a moment."
};
const FINAL = ["unknown_challenge", "challenge_expired", "challenge_used"];

if (code && card) {
  const role = card.dataset.role;
  const url = card.dataset.url;
  const el = {
    status: $("challenge-status"),
    play: $("challenge-play"),
    cancel: $("challenge-cancel"),
    share: $("challenge-share"),
    shared: $("challenge-shared"),
    lobby: $("screen-lobby")
  };
  const flow = { active: true, waiting: false, over: false };
  state.wantPlay = false; // this page plays the challenge, not the queue

  const say = (text) => { setText(el.status, text); };

  // The card stands in for the lobby while the challenge is on; the battle screen takes over after.
  onScreen((name) => {
    const showCard = flow.active && (name === "lobby" || name === "connecting");
    card.hidden = !showCard;
    if (showCard && name === "lobby") el.lobby.hidden = true;
  });

  function wait() {
    if (flow.over) return;
    if (send({ type: "challenge", code })) {
      flow.waiting = true;
      say("Connecting you to the challenge…");
      if (el.play) el.play.disabled = true;
    }
  }

  function stopWaiting(text) {
    flow.waiting = false;
    el.cancel.hidden = true;
    if (el.play) el.play.disabled = flow.over;
    if (role === "creator" && !flow.over) {
      el.cancel.hidden = false;
      setText(el.cancel, "Wait for my friend again");
    }
    say(text);
  }

  on("welcome", (message) => {
    if (message.resumed || flow.over) return;
    flow.active = true;
    if (role === "creator" || flow.waiting) wait();  // a reconnect: the server forgot we waited
    else {
      if (el.play) el.play.disabled = false;
      say("");
    }
  });

  on("challenge_waiting", (message) => {
    if (message.code !== code) return;
    flow.waiting = true;
    const minutes = Math.max(1, Math.round(message.expires_in / 60));
    say(role === "creator"
      ? "Waiting for your friend to open the link… (it expires in " + minutes + " min)"
      : "Waiting for " + (card.dataset.creator || "them") + "…");
    setText(el.cancel, "Cancel");
    el.cancel.hidden = false;
    announce(role === "creator" ? "Waiting for your friend." : "Waiting for your challenger.");
  });

  on("battle", () => {
    flow.active = false;
    flow.over = true; // a challenge is good for one battle
    flow.waiting = false;
    card.hidden = true;
  });

  on("error", (message) => {
    if (!flow.active || !(message.code in REFUSALS)) return false;
    if (FINAL.indexOf(message.code) >= 0) flow.over = true;
    if (!flow.waiting && FINAL.indexOf(message.code) < 0 && message.code !== "shutting_down") return false;
    stopWaiting(REFUSALS[message.code] + (flow.over ? " Find someone else to play on the Play page." : ""));
    if (flow.over) {
      const link = document.createElement("a");
      link.className = "button button--primary";
      link.href = "/play";
      link.id = "challenge-elsewhere";
      link.textContent = "Play someone else";
      el.status.appendChild(document.createTextNode(" "));
      el.status.appendChild(link);
      if (el.share) el.share.disabled = true;
    }
    return true;
  });

  if (el.play) el.play.addEventListener("click", wait);
  el.cancel.addEventListener("click", () => {
    if (flow.waiting) {
      send({ type: "cancel" });
      stopWaiting("You stopped waiting on this challenge.");
    } else {
      wait();
    }
  });

  if (el.share) {
    const canShare = typeof navigator.share === "function";
    setText(el.share, canShare ? "Share" : "Copy link");
    el.share.addEventListener("click", () => {
      if (canShare) {
        navigator.share({ title: "Kwissle challenge", text: "Beat me at Kwissle!", url })
          .then(() => setText(el.shared, "Shared. Now wait here for your friend."))
          .catch(() => { /* the share sheet was closed: nothing to say */ });
        return;
      }
      const copied = () => setText(el.shared, "Link copied! Send it to a friend.");
      const selectIt = () => {
        const input = $("challenge-url");
        input.focus();
        input.select();
        setText(el.shared, "Select the link and copy it.");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(copied, selectIt);
      else selectIt();
    });
  }
}
