/* The play page's shared state and screens: one object every module reads and writes. */

import { $ } from "./dom.js";

export const app = $("app");

export const state = {
  me: null,          // {id, name, guest} from `welcome`
  screen: "connecting",
  wantPlay: true,    // join the queue as soon as we are welcomed
  battle: null,      // {id, opponent {id,name}, questions, seconds, scores, startsIn, recording}
  q: null,           // the question on screen (battle-view.js)
  opponentAway: false,
  finalRevealAt: null
};

const SCREENS = ["connecting", "lobby", "waiting", "battle", "result"];
const screenListeners = [];

// Call fn(name) whenever a screen is shown (stop timers, polls, ...).
export function onScreen(fn) { screenListeners.push(fn); }

export function showScreen(name) {
  state.screen = name;
  SCREENS.forEach((key) => { $("screen-" + key).hidden = key !== name; });
  screenListeners.forEach((fn) => fn(name));
}

export function opponentName() {
  return state.battle && state.battle.opponent ? state.battle.opponent.name : "Your opponent";
}

export function hadFocusInApp() { return !!app && app.contains(document.activeElement); }
