/* Sound and vibration: short WebAudio beeps, off until the player turns them on (the
 * choice is remembered on this device), and a buzz on a steal where the device can.
 */

import { $, setText } from "./dom.js";

const KEY = "kwissle.sound";
const TONES = {
  question: [[660, 0.08]],
  right: [[660, 0.09], [880, 0.12]],
  wrong: [[220, 0.16]],
  steal: [[330, 0.1], [247, 0.18]],
  end: [[523, 0.1], [659, 0.1], [784, 0.16]]
};

let audio = null;

export function soundOn() {
  try { return window.localStorage.getItem(KEY) === "on"; } catch (err) { return false; }
}

function remember(on) {
  try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (err) { /* private mode: this page only */ }
}

export function beep(name) {
  if (!soundOn() || !TONES[name]) return;
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  try {
    audio = audio || new Context();
    let at = audio.currentTime + 0.01;
    TONES[name].forEach(([hz, length]) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.12, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + length);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + length);
      at += length;
    });
  } catch (err) { /* no sound is fine */ }
}

export function buzz(pattern) {
  if (typeof navigator.vibrate === "function") {
    try { navigator.vibrate(pattern); } catch (err) { /* not allowed here */ }
  }
}

function render(button) {
  const on = soundOn();
  button.setAttribute("aria-pressed", String(on));
  setText(button, on ? "Sound on" : "Sound off");
}

export function wireSoundToggle() {
  const button = $("sound-toggle");
  if (!button) return;
  render(button);
  button.addEventListener("click", () => {
    remember(!soundOn());
    render(button);
    if (soundOn()) {
      // A click is a user gesture: the audio context may start now.
      beep("question");
    }
  });
}
