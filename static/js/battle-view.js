/* The battle screen: the sticky bar (timer, scores, the opponent's cues), the intro,
 * the question card, typed answers, the alternatives, the reveal, and giving up.
 *
 * `battle` puts {id, opponent, questions, seconds, scores, startsIn, recording} in
 * state.battle; other modules hear it with onBattleShown(fn) (fn(battle, message) after
 * the screen is drawn) or with on("battle", fn) from connection.js.
 */

import { $, setText, plural, announce, bump, replay, bringIntoView, fillNotes } from "./dom.js";
import { on, send, onLost } from "./connection.js";
import { state, showScreen, onScreen, opponentName } from "./state.js";
import { startTimer, stopTimer, freezeTimer, resetTimer } from "./timer.js";
import { beep, buzz } from "./sound.js";

const MAX_ANSWER_CHARS = 200;
// A tap that lands within this long after the alternatives appear was meant for the
// button that was there before (a double tap on "Show alternatives"): it picks nothing.
export const TAP_GUARD_MS = 300;

const el = {
  bar: $("battlebar"),
  meName: $("me-name"),
  meScore: $("me-score"),
  themName: $("them-name"),
  themScore: $("them-score"),
  themSide: $("them-side"),
  themLabel: $("them-label"),
  cue: $("cue"),
  intro: $("intro"),
  introMe: $("intro-me"),
  introThem: $("intro-them"),
  introCount: $("intro-count"),
  question: $("question"),
  qNumber: $("q-number"),
  qCategory: $("q-category"),
  qText: $("q-text"),
  answerForm: $("answer-form"),
  answerInput: $("answer-input"),
  tools: $("tools"),
  tries: $("tries"),
  showAlternatives: $("show-alternatives"),
  choices: $("choices"),
  choiceButtons: Array.from(document.querySelectorAll("#choices .choice")),
  feedback: $("feedback"),
  reveal: $("reveal"),
  revealHeadline: $("reveal-headline"),
  revealAnswer: $("reveal-answer"),
  revealNext: $("reveal-next"),
  revealNotes: $("reveal-notes"),
  leave: $("leave")
};

const shownListeners = [];

export function onBattleShown(fn) { shownListeners.push(fn); }

export function inBattle() { return state.screen === "battle" && !!state.battle; }

onScreen((name) => {
  if (name !== "battle") {
    stopTimer();
    stopIntro();
  }
});
onLost(() => { if (state.screen === "battle") stopTimer(); });

// ------------------------------------------------------------------ the battle bar

function showAway() {
  el.themSide.classList.toggle("side--away", state.opponentAway);
  const recorded = state.battle && state.battle.recording;
  setText(el.themLabel, state.opponentAway ? "Away" : recorded ? "Recording" : "Opponent");
}

function renderScores(scores, animate) {
  if (!state.battle || !scores) return;
  const mine = state.me ? scores[state.me.id] || 0 : 0;
  const theirs = scores[state.battle.opponent.id] || 0;
  if (animate && String(mine) !== el.meScore.textContent) bump(el.meScore);
  if (animate && String(theirs) !== el.themScore.textContent) bump(el.themScore);
  setText(el.meScore, mine);
  setText(el.themScore, theirs);
  state.battle.scores = scores;
}

function setCue(text, kind) {
  setText(el.cue, text);
  el.cue.className = "cue" + (kind ? " cue--" + kind : "") + (text ? " cue--on" : "");
}

function awayCue() {
  setCue(state.opponentAway ? opponentName() + " lost connection — waiting for them to come back." : "",
         state.opponentAway ? "warn" : "");
}

// ------------------------------------------------------------------ the intro (display only)

let introTimer = null;

function startIntro(seconds) {
  stopIntro();
  const until = performance.now() + seconds * 1000;
  setText(el.introMe, state.me ? state.me.name : "You");
  setText(el.introThem, opponentName());
  el.intro.hidden = false;
  el.question.hidden = true;
  const tick = () => {
    const left = Math.ceil((until - performance.now()) / 1000);
    // The server opens question 0; until then the count stays at 1.
    setText(el.introCount, Math.max(1, left));
  };
  tick();
  introTimer = window.setInterval(tick, 100);
}

function stopIntro() {
  if (introTimer) window.clearInterval(introTimer);
  introTimer = null;
  el.intro.hidden = true;
  el.question.hidden = false;
}

// ------------------------------------------------------------------ battle, question

function resetQuestionCard() {
  el.question.classList.remove("question--closed", "question--enter");
  el.answerForm.hidden = true;
  el.tools.hidden = true;
  el.choices.hidden = true;
  el.reveal.hidden = true;
  el.qCategory.hidden = true;
  setText(el.feedback, "");
  el.feedback.className = "feedback";
  resetTimer();
}

on("battle", (message) => {
  const fresh = !state.battle || state.battle.id !== message.id;
  state.battle = {
    id: message.id,
    opponent: message.opponent || { id: "", name: "Opponent" },
    questions: message.questions,
    seconds: message.seconds,
    scores: message.scores || {},
    startsIn: typeof message.starts_in === "number" ? message.starts_in : 0,
    recording: message.recording || null
  };
  state.wantPlay = false;
  state.opponentAway = !!message.opponent_away;
  if (fresh) {
    state.q = null;
    resetQuestionCard();
    setText(el.qNumber, "Get ready…");
    setText(el.qText, "Your battle against " + state.battle.opponent.name + " starts now.");
    announce("Battle! You against " + state.battle.opponent.name + ".");
  }
  setText(el.meName, state.me ? state.me.name : "You");
  setText(el.themName, state.battle.opponent.name);
  el.bar.classList.toggle("battlebar--recording", !!state.battle.recording);
  showAway();
  setCue("");
  renderScores(state.battle.scores, false);
  resetLeave();
  el.leave.hidden = false;
  showScreen("battle");
  if (state.battle.startsIn > 0 && !state.q) startIntro(state.battle.startsIn);
  else stopIntro();
  shownListeners.forEach((fn) => fn(state.battle, message));
});

on("question", (message) => {
  if (!state.battle) return;
  stopIntro();
  const same = state.q && state.q.q === message.q;
  state.q = {
    q: message.q,
    text: message.text,
    triesLeft: typeof message.tries_left === "number" ? message.tries_left : 3,
    mode: "typing",     // typing | notries | loading | choices | picked | closed
    choices: null,
    picked: typeof message.choice === "number" ? message.choice : null,
    lockedOut: !!message.locked_out,
    pending: false,
    choicesAt: 0
  };
  resetQuestionCard();
  setText(el.qNumber, "Question " + (message.q + 1) + " of " + state.battle.questions);
  setText(el.qCategory, message.category || "");
  el.qCategory.hidden = !message.category;
  setText(el.qText, message.text);
  if (!same) {
    awayCue();
    el.answerInput.value = "";
    beep("question");
  }
  replay(el.question, "question--enter");
  el.answerForm.hidden = false;
  el.tools.hidden = false;
  el.answerInput.disabled = false;
  el.answerInput.readOnly = false;
  el.showAlternatives.disabled = false;
  el.showAlternatives.hidden = false;
  renderTries();
  if (state.q.triesLeft <= 0) noTriesLeft(false);
  startTimer(Number(message.seconds) || 0, Number(state.battle.seconds) || Number(message.seconds) || 1);
  if (state.q.mode === "typing") el.answerInput.focus({ preventScroll: true });
  announce("Question " + (message.q + 1) + (message.category ? ", " + message.category : "") + ": " + message.text);
});

function renderTries() {
  const n = state.q ? state.q.triesLeft : 0;
  setText(el.tries, n > 0 ? plural(n, "try", "tries") + " left" : "No typed tries left");
}

function noTriesLeft(moveFocus) {
  state.q.mode = "notries";
  el.answerInput.disabled = true;
  if (moveFocus) el.showAlternatives.focus();
}

function setFeedback(text, kind) {
  el.feedback.className = "feedback" + (kind ? " feedback--" + kind : "");
  setText(el.feedback, text);
  if (kind) replay(el.feedback, "feedback--pop");
}

el.answerForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = state.q;
  if (!q || q.mode !== "typing" || q.pending) return;
  const text = el.answerInput.value.trim().slice(0, MAX_ANSWER_CHARS);
  if (!text) {
    replay(el.answerInput, "shake");
    return;
  }
  if (send({ type: "answer", q: q.q, text: text })) {
    q.pending = true;
    el.answerInput.readOnly = true;
    setFeedback("Checking…", "");
  }
});

on("wrong", (message) => {
  const q = state.q;
  if (!q || message.q !== q.q) return;
  beep("wrong");
  if (typeof message.choice === "number") {
    q.lockedOut = true;
    markWrongPick(message.choice);
    return;
  }
  q.pending = false;
  q.triesLeft = message.tries_left;
  el.answerInput.readOnly = false;
  renderTries();
  if (q.triesLeft > 0) {
    setFeedback("Wrong — " + plural(q.triesLeft, "try", "tries") + " left", "bad");
    el.answerInput.select();
  } else {
    setFeedback("Wrong — no tries left. Show the alternatives for a last chance.", "bad");
    noTriesLeft(true);
  }
  replay(el.question, "shake");
});

// ------------------------------------------------------------------ the alternatives

el.showAlternatives.addEventListener("click", () => {
  const q = state.q;
  if (!q || (q.mode !== "typing" && q.mode !== "notries")) return;
  if (send({ type: "alternatives", q: q.q })) {
    q.previousMode = q.mode;
    q.mode = "loading";
    el.showAlternatives.disabled = true;
    el.answerInput.disabled = true;
  }
});

on("alternatives", (message) => {
  const q = state.q;
  if (!q || message.q !== q.q || !Array.isArray(message.choices)) return;
  q.choices = message.choices.slice(0, 4);
  q.mode = "choices";
  q.choicesAt = performance.now();
  // The tools row stays where it was (its button now disabled), so the finger that
  // tapped "Show alternatives" is over that button, never over a choice.
  el.answerForm.hidden = true;
  el.tools.hidden = false;
  el.showAlternatives.disabled = true;
  el.choices.hidden = false;
  el.choiceButtons.forEach((button, i) => {
    const text = q.choices[i];
    button.hidden = text == null;
    button.disabled = false;
    button.className = "choice";
    setText(button.querySelector(".choice__text"), text);
  });
  if (q.lockedOut) {
    markWrongPick(q.picked);
    return;
  }
  setFeedback("Pick one: tap it or press 1–4.", "");
  el.choiceButtons[0].focus({ preventScroll: true });
});

function markWrongPick(index) {
  const q = state.q;
  q.mode = "picked";
  q.picked = index;
  el.choiceButtons.forEach((button, i) => {
    button.disabled = true;
    button.classList.remove("choice--picked");
    if (i === index) button.classList.add("choice--wrong");
  });
  setFeedback("Not that one — you are out of this question. Waiting for the reveal…", "bad");
}

function choose(index, fromPointer) {
  const q = state.q;
  if (!q || q.mode !== "choices" || !q.choices || q.choices[index] == null) return;
  if (fromPointer && performance.now() - q.choicesAt < TAP_GUARD_MS) return;
  if (!send({ type: "choose", q: q.q, choice: index })) return;
  q.mode = "picked";
  q.picked = index;
  el.choiceButtons.forEach((button, i) => {
    button.disabled = true;
    if (i === index) button.classList.add("choice--picked");
  });
  setFeedback("Locked in: " + q.choices[index] + ". Waiting for the reveal…", "");
}

el.choiceButtons.forEach((button) => {
  // detail 0: a keyboard "click" (Enter or Space on a focused choice), never a stray tap.
  button.addEventListener("click", (event) => choose(Number(button.dataset.choice), event.detail !== 0));
});

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
  const target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
  if (state.screen !== "battle" || !state.q || state.q.mode !== "choices") return;
  if (event.key >= "1" && event.key <= "4") {
    event.preventDefault();
    choose(Number(event.key) - 1, false);
  }
});

// ------------------------------------------------------------------ the opponent's cues

const CUES = {
  typed_wrong: (name) => [name + " typed a wrong answer.", "info"],
  alternatives: (name) => [name + " opened the alternatives.", "info"],
  chose_wrong: (name) => [name + " picked a wrong alternative.", "good"],
  dropped: (name, message) => {
    const grace = typeof message.seconds === "number" ? " (" + Math.round(message.seconds) + " s)" : "";
    return [name + " lost connection — waiting for them to come back" + grace + ".", "warn"];
  },
  back: (name) => [name + " is back.", "info"]
};

on("opponent", (message) => {
  const cue = CUES[message.action];
  if (!cue || !state.battle) return;
  if (message.action === "dropped") state.opponentAway = true;
  if (message.action === "back") state.opponentAway = false;
  showAway();
  const said = cue(opponentName(), message);
  setCue(said[0], said[1]);
  bump(el.cue);
  announce(said[0]);
});

// ------------------------------------------------------------------ the reveal

on("reveal", (message) => {
  if (!state.battle) return;
  stopIntro();
  let q = state.q;
  if (!q || q.q !== message.q) {
    // Resumed during this reveal (the server re-sends it after `battle`): we never saw the
    // question's text, but the reveal says everything that matters.
    state.q = q = { q: message.q, text: "", triesLeft: 0, mode: "closed", choices: null, picked: null };
    resetQuestionCard();
    setText(el.qNumber, "Question " + (message.q + 1) + " of " + state.battle.questions);
    setText(el.qText, "The answer to question " + (message.q + 1) + " is in.");
  }
  q.mode = "closed";
  q.pending = false;
  freezeTimer();
  el.question.classList.add("question--closed");
  el.answerInput.disabled = true;
  el.showAlternatives.disabled = true;
  el.tools.hidden = true;
  el.answerForm.hidden = true;
  const me = state.me ? state.me.id : null;
  const how = message.how === "typed" ? "typed it" : message.how === "choice" ? "with the alternatives" : "";
  let headline;
  let kind;
  if (message.by && message.by === me) {
    headline = "You got it! +" + message.points + (message.how === "choice" ? " (alternatives)" : "");
    kind = "good";
    beep("right");
  } else if (message.by) {
    headline = "Stolen by " + opponentName() + " — +" + message.points + (how ? ", " + how : "");
    kind = "bad";
    beep("steal");
    buzz([60, 40, 60]);
  } else {
    headline = "Nobody got this one.";
    kind = "neutral";
  }
  el.reveal.className = "reveal reveal--" + kind;
  setText(el.revealHeadline, headline);
  setText(el.revealAnswer, message.answer);
  fillNotes(el.revealNotes, message);
  const last = message.q + 1 >= state.battle.questions;
  state.finalRevealAt = last ? Date.now() : null;
  setText(el.revealNext, last ? "That was the last question…" : "Next question coming up…");
  el.reveal.hidden = false;
  if (q.choices) {
    el.choices.hidden = false;
    el.choiceButtons.forEach((button, i) => {
      button.disabled = true;
      if (q.choices[i] === message.answer) button.classList.add("choice--right");
      else if (i === q.picked) button.classList.add("choice--wrong");
    });
  }
  if (q.picked != null && q.choices && q.choices[q.picked] !== message.answer) {
    setFeedback("Your pick was wrong.", "bad");
  } else {
    setFeedback("", "");
  }
  awayCue();
  renderScores(message.scores, true);
  // Below the open alternatives on a phone, the banner would fall under the fold.
  bringIntoView(el.reveal);
  announce(headline + " The answer was " + message.answer + ".");
});

// ------------------------------------------------------------------ giving up

let leaveArmed = null;

function resetLeave() {
  if (leaveArmed) window.clearTimeout(leaveArmed);
  leaveArmed = null;
  setText(el.leave, "Give up");
  el.leave.classList.remove("button--danger");
}

el.leave.addEventListener("click", () => {
  if (!leaveArmed) {
    setText(el.leave, "Really give up? Click again to forfeit");
    el.leave.classList.add("button--danger");
    leaveArmed = window.setTimeout(resetLeave, 4000);
    return;
  }
  resetLeave();
  send({ type: "leave" });
});

export function battleOver() {
  stopTimer();
  state.q = null;
  state.wantPlay = false;
  el.leave.hidden = true;
}

// ------------------------------------------------------------------ refusals

on("error", (message) => {
  const code = message.code;
  const q = state.q;
  if (q && q.pending && (code === "locked_out" || code === "question_closed")) {
    q.pending = false;
    el.answerInput.readOnly = false;
  }
  if (q && q.mode === "loading") {
    q.mode = q.previousMode || "typing";
    el.showAlternatives.disabled = false;
    el.answerInput.disabled = q.mode !== "typing";
  }
  return false;
});

