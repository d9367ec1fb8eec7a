/* Small DOM helpers shared by the play page's modules.
 *
 * Everything that comes from the server or from players is inserted with
 * textContent, never as HTML: these helpers are the only way text reaches the page.
 */

export function $(id) { return document.getElementById(id); }

export function setText(node, text) { node.textContent = text == null ? "" : String(text); }

export function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = String(text);
  return node;
}

export function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

export function reducedMotion() {
  return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
}

// Restart a CSS animation class on a node.
export function replay(node, className) {
  node.classList.remove(className);
  void node.offsetWidth;
  node.classList.add(className);
}

export function bump(node) { replay(node, "bump"); }

// Scroll a node into view if it is not fully visible; smooth unless the player asked for less motion.
export function bringIntoView(node) {
  const rect = node.getBoundingClientRect();
  const top = parseFloat(window.getComputedStyle(node).scrollMarginTop) || 0;
  if (rect.top >= top && rect.bottom <= window.innerHeight) return;
  node.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
}

let announcer = null;

export function announce(text) {
  announcer = announcer || $("announcer");
  if (!announcer) return;
  // Re-setting the same text would not be read again: clear first.
  announcer.textContent = "";
  window.setTimeout(() => setText(announcer, text), 30);
}

const TOAST_MS = 4500;

export function toast(text, kind) {
  const box = $("toasts");
  if (!box) return;
  const node = make("div", "toast" + (kind ? " toast--" + kind : ""), text);
  box.appendChild(node);
  window.setTimeout(() => {
    node.classList.add("toast--leaving");
    window.setTimeout(() => node.remove(), 300);
  }, TOAST_MS);
}

// Only http(s) addresses become links: a player wrote this one.
export function safeHref(link) {
  try {
    const url = new URL(link);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (err) {
    return null;
  }
}

// A question's explanation and source link (from `reveal` or an `end.review` item), as text.
export function fillNotes(box, source) {
  box.textContent = "";
  const explanation = typeof source.explanation === "string" ? source.explanation : "";
  const link = typeof source.link === "string" ? source.link : "";
  if (explanation) box.appendChild(make("p", "notes__explanation", explanation));
  if (link) {
    const line = make("p", "notes__source");
    line.appendChild(document.createTextNode("Source: "));
    const href = safeHref(link);
    if (href) {
      const a = make("a", "notes__link", link);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      line.appendChild(a);
    } else {
      line.appendChild(make("span", "notes__plain", link));
    }
    box.appendChild(line);
  }
  box.hidden = !explanation && !link;
}

// "1.2 s" from seconds.
export function seconds(value) { return (Math.round(value * 10) / 10).toFixed(1) + " s"; }
