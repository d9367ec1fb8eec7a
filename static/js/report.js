/* "Report this question" under each question of the result screen: a `report`, then
 * `reported` when it is stored, or the refusal said in place.
 */

import { setText, make } from "./dom.js";
import { on, send } from "./connection.js";
import { addReviewControl } from "./result-view.js";

const MAX_REASON_CHARS = 500;
const REPORT_ERROR_WINDOW_MS = 4000;
const REPORT_ACK_MS = 10000; // no `reported` by then: say so, and offer to send again
// Errors that a `report` can earn; a stored one is acknowledged with `reported`.
const REPORT_ERRORS = ["already_reported", "rate_limited", "not_in_battle", "bad_message", "banned"];

let serial = 0;
let pending = null;

function setStatus(status, text, kind) {
  setText(status, text);
  status.className = "report__status" + (kind ? " report__status--" + kind : "");
}

function reportControl(item) {
  const q = item.q;
  serial += 1;
  const box = make("div", "report");
  const toggle = make("button", "button button--link report__toggle", "Report this question");
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", "false");
  const form = make("form", "report__form");
  form.hidden = true;
  const inputId = "report-reason-" + serial;
  form.id = "report-form-" + serial;
  toggle.setAttribute("aria-controls", form.id);
  const label = make("label", "report__label", "What is wrong with this question?");
  label.htmlFor = inputId;
  const input = make("input", "report__input");
  input.id = inputId;
  input.type = "text";
  input.maxLength = MAX_REASON_CHARS;
  input.required = true;
  input.placeholder = "e.g. the answer is out of date";
  const sendButton = make("button", "button button--primary button--small", "Send report");
  sendButton.type = "submit";
  const status = make("p", "report__status");
  status.setAttribute("role", "status");
  form.appendChild(label);
  const row = make("div", "report__row");
  row.appendChild(input);
  row.appendChild(sendButton);
  form.appendChild(row);
  box.appendChild(toggle);
  box.appendChild(form);
  box.appendChild(status);

  toggle.addEventListener("click", () => {
    const open = form.hidden;
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    if (!reason) {
      setStatus(status, "Please say briefly what is wrong.", "bad");
      input.focus();
      return;
    }
    if (!send({ type: "report", q: q, reason: reason.slice(0, MAX_REASON_CHARS) })) {
      setStatus(status, "Not sent: not connected. Try again in a moment.", "bad");
      return;
    }
    form.hidden = true;
    toggle.hidden = true;
    setStatus(status, "Sending the report…", "");
    const mine = { q: q, at: Date.now(), status: status, toggle: toggle, form: form };
    mine.timer = window.setTimeout(() => unanswered(mine), REPORT_ACK_MS);
    pending = mine;
  });
  return box;
}

function unanswered(mine) {
  if (pending !== mine) return;
  pending = null;
  setStatus(mine.status, "No answer from the server: the report may not have been stored. Try again.", "bad");
  mine.toggle.hidden = false;
  mine.form.hidden = false;
}

on("reported", (message) => {
  if (!pending || pending.q !== message.q) return; // another tab's report, or one already settled
  window.clearTimeout(pending.timer);
  setStatus(pending.status, "Report sent — thanks. A moderator will take a look.", "good");
  pending = null;
});

on("error", (message) => {
  if (!pending || Date.now() - pending.at >= REPORT_ERROR_WINDOW_MS || REPORT_ERRORS.indexOf(message.code) < 0) {
    return false;
  }
  const mine = pending;
  pending = null;
  window.clearTimeout(mine.timer);
  setStatus(mine.status, "Not sent: " + (message.message || message.code), "bad");
  if (message.code !== "already_reported") {
    mine.toggle.hidden = false;
    mine.form.hidden = false;
  }
  return true;
});

addReviewControl(reportControl);
