// The "try an answer" box on a question's moderation page: as the moderator types, the
// judge runs on the server (/admin/judge) with the answer, variants and alternatives
// currently in the form, and the box says whether that answer would count in a battle.

const box = document.getElementById("judge");
const form = document.getElementById("moderate-form");
const DELAY_MS = 150;

function field(name) {
  const element = form.elements.namedItem(name);
  return element ? element.value : "";
}

function lines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

function setVerdict(verdict, text, state) {
  verdict.textContent = text;
  verdict.dataset.state = state;
}

// What the judge says of `typed`: [text to show, state].
async function ask(typed) {
  const body = {
    typed,
    answer: field("answer"),
    variants: lines(field("variants")).slice(0, 20),
    wrong: ["wrong_1", "wrong_2", "wrong_3"].map(field).filter((text) => text.trim()),
  };
  const response = await fetch(box.dataset.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-XSRFToken": field("_xsrf") },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const answer = await response.json();
  if (!response.ok) return [answer.error ? answer.error.message : "The judge could not answer.", "error"];
  if (answer.accepted) return [`Accepted: “${typed}” would count.`, "accepted"];
  return [`Refused: “${typed}” would not count.`, "refused"];
}

if (box && form) {
  const typedInput = document.getElementById("judge-typed");
  const verdict = document.getElementById("judge-verdict");
  let timer = null;
  let asked = 0;
  const run = () => {
    clearTimeout(timer);
    const typed = typedInput.value.trim();
    if (!typed) {
      setVerdict(verdict, "", "");
      return;
    }
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const [text, state] = await ask(typed);
        if (mine === asked) setVerdict(verdict, text, state);  // a slower, older answer is dropped
      } catch {
        if (mine === asked) setVerdict(verdict, "The judge could not be reached.", "error");
      }
    }, DELAY_MS);
  };
  typedInput.addEventListener("input", run);
  form.addEventListener("input", (event) => { if (event.target !== typedInput) run(); });
  typedInput.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
  box.hidden = false;
}
