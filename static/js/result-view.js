/* The result screen, from `end`: the outcome, ratings, and question by question each
 * player's typed answers and picks with their times, who was faster, accuracy, and the
 * explanation and source.
 *
 * Hooks for other modules:
 *   onResult(fn)          fn(end, battle, {actions}) after the screen is drawn; append
 *                          buttons (Rematch, Share) to `actions` (#result-extra).
 *   addReviewControl(fn)  fn(item, {me, them, battle}) -> Node or null, appended to each
 *                          question's review item (the appeal button, say).
 */

import { $, setText, make, announce, fillNotes, seconds } from "./dom.js";
import { on } from "./connection.js";
import { state, showScreen } from "./state.js";
import { battleOver } from "./battle-view.js";
import { beep } from "./sound.js";

const LAST_REVEAL_MS = 1600; // how long the last answer shows before the result screen

const el = {
  card: $("result"),
  badge: $("result-badge"),
  title: $("result-title"),
  sub: $("result-sub"),
  accuracy: $("result-accuracy"),
  finalMeName: $("final-me-name"),
  finalMeScore: $("final-me-score"),
  finalThemName: $("final-them-name"),
  finalThemScore: $("final-them-score"),
  ratings: $("result-ratings"),
  extra: $("result-extra"),
  review: $("review")
};

const resultListeners = [];
const reviewControls = [];

export function onResult(fn) { resultListeners.push(fn); }
export function addReviewControl(fn) { reviewControls.push(fn); }

on("end", (message) => {
  const battle = state.battle;
  if (!battle || (message.id && message.id !== battle.id)) return;
  battleOver();
  // The last reveal and the end arrive together: let the last answer be seen first.
  const shown = state.finalRevealAt ? Date.now() - state.finalRevealAt : Infinity;
  state.finalRevealAt = null;
  if (shown < LAST_REVEAL_MS) window.setTimeout(() => showResult(message, battle), LAST_REVEAL_MS - shown);
  else showResult(message, battle);
});

function showResult(message, battle) {
  if (state.battle !== battle) return; // a new battle started meanwhile
  const me = state.me ? state.me.id : null;
  const them = battle.opponent;
  const scores = message.scores || {};
  const mine = scores[me] || 0;
  const theirs = scores[them.id] || 0;
  let title, badge, outcome, sub;
  if (message.winner == null) { title = "It's a draw"; badge = "="; outcome = "draw"; }
  else if (message.winner === me) { title = "You win!"; badge = "★"; outcome = "win"; }
  else { title = "You lose"; badge = "✕"; outcome = "lose"; }
  if (message.reason === "forfeit") {
    sub = outcome === "win" ? them.name + " left the battle — you win by forfeit."
                            : "You left the battle, so " + them.name + " wins by forfeit.";
  } else if (outcome === "win") {
    sub = "You beat " + them.name + " " + mine + " to " + theirs + ".";
  } else if (outcome === "lose") {
    sub = them.name + " wins " + theirs + " to " + mine + ". Revenge?";
  } else {
    sub = "Level on " + mine + " points each.";
  }
  if (battle.recording) sub += " (" + them.name + " was a recording.)";
  el.card.className = "card result result--" + outcome;
  setText(el.badge, badge);
  setText(el.title, title);
  setText(el.sub, sub);
  setText(el.finalMeName, state.me ? state.me.name + " (you)" : "You");
  setText(el.finalMeScore, mine);
  setText(el.finalThemName, them.name);
  setText(el.finalThemScore, theirs);
  const review = Array.isArray(message.review) ? message.review : [];
  renderAccuracy(review, me, them);
  renderRatings(message.ratings, me, them);
  renderReview(review, me, them, battle);
  el.extra.textContent = "";
  showScreen("result");
  el.title.focus();
  beep("end");
  announce(title + " " + sub);
  resultListeners.forEach((fn) => {
    try { fn(message, battle, { actions: el.extra }); } catch (err) { if (window.console) window.console.error(err); }
  });
}

// ------------------------------------------------------------------ accuracy

// Of the questions a player answered at all (typed or picked), how many they scored.
function accuracyOf(review, id) {
  let tried = 0, right = 0;
  review.forEach((item) => {
    const typed = (item.typed && item.typed[id]) || [];
    const chose = item.chose ? item.chose[id] : null;
    if (typed.length || chose != null || item.by === id) tried += 1;
    if (item.by === id) right += 1;
  });
  return { tried: tried, right: right, asked: review.length };
}

function accuracyText(who, a) {
  if (!a.tried) return who + " answered none of " + a.asked;
  return who + ": " + a.right + " right of " + a.tried + " answered (" + Math.round((100 * a.right) / a.tried) + "%)";
}

function renderAccuracy(review, me, them) {
  el.accuracy.textContent = "";
  el.accuracy.hidden = !review.length;
  [[me, "You", "me"], [them.id, them.name, "them"]].forEach(([id, who, side]) => {
    const line = make("li", "accuracy__row", accuracyText(who, accuracyOf(review, id)));
    line.setAttribute("data-player", side);
    el.accuracy.appendChild(line);
  });
}

// ------------------------------------------------------------------ ratings

// "1512?" while provisional, "1512" once established.
function ratingText(value, provisional) { return value + (provisional ? "?" : ""); }

// "1500? → 1512? (+12)"; no `ratings` (a guest in the battle): nothing shown.
function renderRatings(ratings, me, them) {
  const box = el.ratings;
  box.textContent = "";
  box.hidden = true;
  if (!ratings || !ratings[me] || !ratings[them.id]) return;
  [[me, "Your rating"], [them.id, them.name + "'s rating"]].forEach((pair) => {
    const change = ratings[pair[0]];
    const delta = change.after - change.before;
    const row = make("div", "ratings__row");
    row.setAttribute("data-player", pair[0] === me ? "me" : "them");
    row.appendChild(make("dt", "ratings__who", pair[1]));
    const dd = make("dd", "ratings__change");
    dd.appendChild(make("span", "ratings__before", ratingText(change.before, change.before_provisional)));
    dd.appendChild(document.createTextNode(" → "));
    dd.appendChild(make("strong", "ratings__after", ratingText(change.after, change.provisional)));
    dd.appendChild(make("span", "ratings__delta ratings__delta--" + (delta > 0 ? "up" : delta < 0 ? "down" : "same"),
                        " (" + (delta > 0 ? "+" : delta < 0 ? "−" : "±") + Math.abs(delta) + ")"));
    row.appendChild(dd);
    box.appendChild(row);
  });
  box.hidden = false;
}

// ------------------------------------------------------------------ question by question

function numberList(value) { return Array.isArray(value) ? value.filter((v) => typeof v === "number") : []; }

// When a player first answered (typed or picked), in seconds since the question opened.
function firstAnswerAt(item, id) {
  const times = numberList(item.typed_at && item.typed_at[id]);
  const chose = item.chose_at ? item.chose_at[id] : null;
  if (typeof chose === "number") times.push(chose);
  return times.length ? Math.min.apply(null, times) : null;
}

// One player's line: what they typed (with times) and what they picked.
function playerRow(dl, item, id, label) {
  const typed = (item.typed && item.typed[id]) || [];
  const typedAt = (item.typed_at && item.typed_at[id]) || [];
  dl.appendChild(make("dt", "", label));
  const dd = make("dd", "");
  if (typed.length) {
    typed.forEach((text, i) => {
      if (i) dd.appendChild(document.createTextNode(", "));
      dd.appendChild(make("q", "typed", text));
      if (typeof typedAt[i] === "number") dd.appendChild(make("span", "review__time", " at " + seconds(typedAt[i])));
    });
  }
  const choices = Array.isArray(item.choices) ? item.choices : [];
  const chose = item.chose ? item.chose[id] : null;
  if (typeof chose === "number" && choices[chose] != null) {
    if (typed.length) dd.appendChild(document.createTextNode("; "));
    const right = choices[chose] === item.answer;
    const pick = make("span", "review__pick review__pick--" + (right ? "right" : "wrong"));
    pick.appendChild(document.createTextNode("picked "));
    pick.appendChild(make("strong", "", choices[chose]));
    const at = item.chose_at ? item.chose_at[id] : null;
    if (typeof at === "number") pick.appendChild(make("span", "review__time", " at " + seconds(at)));
    dd.appendChild(pick);
  }
  if (!dd.childNodes.length) {
    dd.className = "muted";
    dd.textContent = "no answer";
  }
  dl.appendChild(dd);
}

function fasterLine(item, me, them) {
  const mine = firstAnswerAt(item, me);
  const theirs = firstAnswerAt(item, them.id);
  if (mine == null || theirs == null) return null;
  const gap = Math.abs(mine - theirs);
  if (gap < 0.05) return "You both answered at the same moment";
  return mine < theirs ? "You were " + seconds(gap) + " faster" : them.name + " was " + seconds(gap) + " faster";
}

function renderReview(items, me, them, battle) {
  el.review.textContent = "";
  items.forEach((item) => {
    const li = make("li", "review__item");
    const head = make("div", "review__head");
    head.appendChild(make("span", "review__number", "Q" + (item.q + 1)));
    head.appendChild(make("p", "review__text", item.text));
    li.appendChild(head);

    const answer = make("p", "review__answer");
    answer.appendChild(document.createTextNode("Answer: "));
    answer.appendChild(make("strong", "", item.answer));
    li.appendChild(answer);
    const notes = make("div", "notes");
    fillNotes(notes, item);
    if (!notes.hidden) li.appendChild(notes);

    let taken, kind;
    const how = item.how === "typed" ? "typed it, +3" : item.how === "choice" ? "with the alternatives, +1" : "";
    if (item.by && item.by === me) { taken = "You took it — " + how; kind = "me"; }
    else if (item.by) { taken = them.name + " took it — " + how; kind = "them"; }
    else { taken = "Nobody took it"; kind = "nobody"; }
    li.appendChild(make("p", "review__taken review__taken--" + kind, taken));

    const dl = make("dl", "review__typed");
    playerRow(dl, item, me, "You");  // a row holds what was typed and what was picked
    playerRow(dl, item, them.id, them.name);
    li.appendChild(dl);
    const faster = fasterLine(item, me, them);
    if (faster) li.appendChild(make("p", "review__faster", faster));
    reviewControls.forEach((fn) => {
      try {
        const node = fn(item, { me: me, them: them, battle: battle });
        if (node) li.appendChild(node);
      } catch (err) { if (window.console) window.console.error(err); }
    });
    el.review.appendChild(li);
  });
}
