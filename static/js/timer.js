/* The question timer in the battle bar: animation only, the server decides when time is up. */

import { $, setText, reducedMotion } from "./dom.js";

const el = { timer: $("timer"), bar: $("timer-bar"), seconds: $("timer-seconds") };

let interval = null;
let deadline = 0;
let total = 1;
let stepped = false;

export function startTimer(seconds, full) {
  stopTimer();
  total = Math.max(full, seconds, 0.001);
  deadline = performance.now() + seconds * 1000;
  const bar = el.bar;
  bar.style.transition = "none";
  bar.style.transform = "scaleX(" + Math.min(1, seconds / total) + ")";
  stepped = reducedMotion();
  if (!stepped) {
    void bar.offsetWidth; // commit the start before animating to the end
    bar.style.transition = "transform " + seconds + "s linear";
    bar.style.transform = "scaleX(0)";
  }
  update();
  interval = window.setInterval(update, 100);
}

function update() {
  const left = Math.max(0, deadline - performance.now()) / 1000;
  const share = left / total;
  el.timer.className = "timer" + (share <= 0.25 || left <= 3 ? " timer--danger" : share <= 0.5 ? " timer--warn" : "");
  setText(el.seconds, Math.ceil(left) + "s");
  // Less motion asked: no gliding bar (reduced motion cuts transitions short), a bar that steps.
  if (stepped) el.bar.style.transform = "scaleX(" + share.toFixed(3) + ")";
  if (left <= 0) stopTimer();
}

export function stopTimer() {
  if (interval) window.clearInterval(interval);
  interval = null;
}

export function freezeTimer() {
  stopTimer();
  const now = window.getComputedStyle(el.bar).transform;
  el.bar.style.transition = "none";
  el.bar.style.transform = now && now !== "none" ? now : "scaleX(0)";
}

export function resetTimer() {
  stopTimer();
  el.timer.className = "timer";
  setText(el.seconds, "");
  el.bar.style.transition = "none";
  el.bar.style.transform = "scaleX(1)";
}
