/* Kwissle play page: speaks PROTOCOL.md (version 1) over SockJS.
 *
 * Plain JS, no framework. The server owns the game and the clock: this page only
 * shows what the server says and sends what the player does. Everything that
 * comes from the server or from players (questions, categories, names, typed
 * answers) is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var app = document.getElementById("app");
  if (!app) return;

  var TICKET_URL = app.dataset.ticketUrl || "/api/ticket";
  var STATUS_URL = app.dataset.statusUrl || "/api/status";
  var SOCKJS_PATH = app.dataset.sockjsPath || "/sockjs";
  var STATUS_POLL_MS = 5000;
  var RECONNECT_BASE_MS = 500;
  var RECONNECT_MAX_MS = 10000;
  // Turned away for too many open connections from this address: retrying at once only
  // takes another slot, so wait longer and say why.
  var TURNED_AWAY_RETRY_MS = 30000;
  // After `restarting`, the server closes once battles are over; the next one takes a few
  // seconds to listen, so the first reconnect waits this long (then the usual back-off).
  var RESTART_RETRY_MS = 2500;
  var RESTART_NOTICE = "The server is restarting: your battle will finish, then reconnect in a moment.";
  var TOAST_MS = 4500;
  var REPORT_ERROR_WINDOW_MS = 4000;
  var REPORT_ACK_MS = 10000; // no `reported` by then: say so, and offer to send again
  var MAX_ANSWER_CHARS = 200;
  var MAX_REASON_CHARS = 500;
  var LAST_REVEAL_MS = 1600; // how long the last answer shows before the result screen
  // Errors that a `report` can earn; a stored one is acknowledged with `reported`.
  var REPORT_ERRORS = ["already_reported", "rate_limited", "not_in_battle", "bad_message"];
  // Refusals that only mean "you were a moment late": the reveal tells the story.
  var QUIET_ERRORS = ["question_closed", "already_queued", "in_battle", "not_queued"];

  function $(id) { return document.getElementById(id); }

  var el = {
    connection: $("connection"),
    screens: {
      connecting: $("screen-connecting"),
      lobby: $("screen-lobby"),
      waiting: $("screen-waiting"),
      battle: $("screen-battle"),
      result: $("screen-result")
    },
    lobbyNote: $("lobby-note"),
    find: $("find"),
    waitingOnline: $("waiting-online"),
    cancel: $("cancel"),
    meName: $("me-name"),
    meScore: $("me-score"),
    themName: $("them-name"),
    themScore: $("them-score"),
    themSide: $("them-side"),
    themLabel: $("them-label"),
    cue: $("cue"),
    question: $("question"),
    qNumber: $("q-number"),
    qCategory: $("q-category"),
    qText: $("q-text"),
    timer: $("timer"),
    timerBar: $("timer-bar"),
    timerSeconds: $("timer-seconds"),
    answerForm: $("answer-form"),
    answerInput: $("answer-input"),
    tools: $("tools"),
    tries: $("tries"),
    showAlternatives: $("show-alternatives"),
    choices: $("choices"),
    choiceButtons: Array.prototype.slice.call(document.querySelectorAll("#choices .choice")),
    feedback: $("feedback"),
    reveal: $("reveal"),
    revealHeadline: $("reveal-headline"),
    revealAnswer: $("reveal-answer"),
    revealNext: $("reveal-next"),
    revealNotes: $("reveal-notes"),
    leave: $("leave"),
    resultBadge: $("result-badge"),
    resultTitle: $("result-title"),
    resultSub: $("result-sub"),
    finalMeName: $("final-me-name"),
    finalMeScore: $("final-me-score"),
    finalThemName: $("final-them-name"),
    finalThemScore: $("final-them-score"),
    resultRatings: $("result-ratings"),
    playAgain: $("play-again"),
    review: $("review"),
    toasts: $("toasts"),
    announcer: $("announcer")
  };

  var state = {
    me: null,          // {id, name, guest} from `welcome`
    screen: "connecting",
    wantPlay: true,    // join the queue as soon as we are welcomed
    battle: null,      // {id, opponent {id,name}, questions, seconds, scores}
    q: null,           // the question on screen, see showQuestion()
    opponentAway: false,
    pendingReport: null
  };

  // ---------------------------------------------------------------- small helpers

  function setText(node, text) { node.textContent = text == null ? "" : String(text); }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function opponentName() {
    return state.battle && state.battle.opponent ? state.battle.opponent.name : "Your opponent";
  }

  function announce(text) {
    // Re-setting the same text would not be read again: clear first.
    el.announcer.textContent = "";
    window.setTimeout(function () { setText(el.announcer, text); }, 30);
  }

  function toast(text, kind) {
    var node = make("div", "toast" + (kind ? " toast--" + kind : ""), text);
    el.toasts.appendChild(node);
    window.setTimeout(function () {
      node.classList.add("toast--leaving");
      window.setTimeout(function () { node.remove(); }, 300);
    }, TOAST_MS);
  }

  function showScreen(name) {
    state.screen = name;
    Object.keys(el.screens).forEach(function (key) {
      el.screens[key].hidden = key !== name;
    });
    if (name !== "waiting") stopStatusPoll();
    if (name !== "battle") stopTimer();
  }

  function bump(node) {
    node.classList.remove("bump");
    void node.offsetWidth; // restart the animation
    node.classList.add("bump");
  }

  // ---------------------------------------------------------------- the connection

  var sock = null;
  var welcomed = false;
  var attempts = 0;
  var reconnectTimer = null;
  var wasLost = false;
  var turnedAway = null;  // the server's reason, when it refused this connection outright
  var restarting = false;  // the server said `restarting`: its close is expected, not an error

  function setConnection(text, kind) {
    if (!text) {
      el.connection.hidden = true;
      el.connection.textContent = "";
      return;
    }
    el.connection.hidden = false;
    el.connection.className = "connection" + (kind ? " connection--" + kind : "");
    setText(el.connection, text);
  }

  function fetchTicket() {
    return fetch(TICKET_URL, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok || !body.ticket) {
          var message = body && body.error && body.error.message;
          throw new Error(message || "Could not get a ticket (HTTP " + response.status + ")");
        }
        return body.ticket;
      });
    });
  }

  function connect() {
    reconnectTimer = null;
    if (typeof window.SockJS !== "function") {
      setConnection("The real-time library did not load. Reload the page to try again.", "bad");
      return;
    }
    if (wasLost) setConnection("Reconnecting…", "warn");
    fetchTicket().then(function (ticket) {
      var s = new window.SockJS(SOCKJS_PATH);
      sock = s;
      welcomed = false;
      s.onopen = function () {
        if (s === sock) s.send(JSON.stringify({ type: "hello", ticket: ticket }));
      };
      s.onmessage = function (event) {
        if (s !== sock) return;
        var message;
        try { message = JSON.parse(event.data); } catch (err) { return; }
        if (message && typeof message === "object" && typeof message.type === "string") dispatch(message);
      };
      s.onclose = function () {
        if (s !== sock) return;
        sock = null;
        welcomed = false;
        lost();
      };
    }).catch(function (err) {
      lost(err && err.message);
    });
  }

  function lost(reason) {
    wasLost = true;
    if (reconnectTimer) return;
    var next = nextTry(reason);
    setConnection(next.text, next.kind);
    if (state.screen === "battle") stopTimer();
    reconnectTimer = window.setTimeout(connect, next.delay);
  }

  function jittered(ms) { return Math.round(ms * (0.75 + Math.random() * 0.5)); }
  function backoffMs() { return Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * Math.pow(2, attempts)); }

  // How long to wait before the next try, and what to tell the player meanwhile.
  function nextTry(reason) {
    var delay;
    if (restarting) {
      // Expected: say so calmly, wait a moment first, and keep saying it until we are back.
      delay = jittered(attempts === 0 ? RESTART_RETRY_MS : backoffMs());
      attempts += 1;
      return { delay: delay, text: "The server is restarting — reconnecting in a moment…", kind: "" };
    }
    if (turnedAway) {
      var why = turnedAway.replace(/[.\s]+$/, "");
      turnedAway = null;
      return { delay: TURNED_AWAY_RETRY_MS, kind: "bad",
               text: why + ". Retrying in " + TURNED_AWAY_RETRY_MS / 1000 + " s…" };
    }
    delay = jittered(backoffMs());
    attempts += 1;
    var seconds = Math.max(1, Math.round(delay / 1000));
    var text = reason ? "Could not connect: " + String(reason).replace(/[.\s]+$/, "") + ". Retrying in " + seconds + " s…"
      : attempts <= 2 ? "Connection lost — reconnecting…"
      : "Still offline — retrying in " + seconds + " s…";
    return { delay: delay, text: text, kind: "warn" };
  }

  function reconnectNow() {
    if (reconnectTimer) {
      window.clearTimeout(reconnectTimer);
      connect();
    }
  }

  window.addEventListener("online", reconnectNow);

  function send(message) {
    if (!sock || !welcomed) {
      toast("Not connected right now — hold on, reconnecting…", "warn");
      return false;
    }
    sock.send(JSON.stringify(message));
    return true;
  }

  // ---------------------------------------------------------------- dispatch

  var handlers = {
    welcome: onWelcome,
    waiting: onWaiting,
    battle: onBattle,
    question: onQuestion,
    alternatives: onAlternatives,
    wrong: onWrong,
    opponent: onOpponent,
    reveal: onReveal,
    end: onEnd,
    restarting: onRestarting,
    reported: onReported,
    error: onError
  };

  function dispatch(message) {
    var handler = Object.prototype.hasOwnProperty.call(handlers, message.type) ? handlers[message.type] : null;
    if (!handler) return; // a newer server may send more: ignore what we do not know
    try {
      handler(message);
    } catch (err) {
      if (window.console) window.console.error("Kwissle: could not handle", message.type, err);
    }
  }

  function onRestarting() {
    // Battles go on; a player waiting for an opponent is queued again once reconnected
    // (wantPlay stays as it is).
    restarting = true;
    setConnection(RESTART_NOTICE, "");
  }

  function onWelcome(message) {
    welcomed = true;
    attempts = 0;
    restarting = false;
    state.me = message.player || state.me;
    if (wasLost) {
      setConnection("Reconnected.", "good");
      window.setTimeout(function () { if (welcomed) setConnection(""); }, 1800);
    } else {
      setConnection("");
    }
    wasLost = false;
    if (message.resumed) {
      return; // `battle`, then the question or the last reveal, follow
    }
    if (state.screen === "battle") {
      // We were in a battle that finished while we were away.
      state.battle = null;
      showLobby("Your battle ended while you were disconnected. Fancy another?");
      return;
    }
    if (state.screen === "result" && !state.wantPlay) return;
    if (state.wantPlay) {
      joinQueue();
    } else {
      showLobby("");
    }
  }

  // ---------------------------------------------------------------- lobby and queue

  function showLobby(note) {
    state.wantPlay = false;
    setText(el.lobbyNote, note || "Press the button and we will find you someone to play.");
    var hadFocus = app.contains(document.activeElement);
    showScreen("lobby");
    if (hadFocus) el.find.focus(); // keep the keyboard user's place; on page load, leave focus alone
  }

  function joinQueue() {
    state.wantPlay = true;
    if (send({ type: "play" })) {
      showWaiting(null);
    }
  }

  function showWaiting(online) {
    if (state.screen !== "waiting") {
      var hadFocus = app.contains(document.activeElement);
      setText(el.waitingOnline, "Counting players…");
      showScreen("waiting");
      if (hadFocus) el.cancel.focus();
      startStatusPoll();
    }
    if (typeof online === "number") setOnline(online);
  }

  function setOnline(n) {
    setText(el.waitingOnline, plural(n, "player", "players") + " online now");
  }

  var statusTimer = null;

  function pollStatus() {
    fetch(STATUS_URL, { cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (body && typeof body.online === "number" && state.screen === "waiting") setOnline(body.online);
      })
      .catch(function () { /* the next poll will tell */ });
  }

  function startStatusPoll() {
    stopStatusPoll();
    statusTimer = window.setInterval(pollStatus, STATUS_POLL_MS);
  }

  function stopStatusPoll() {
    if (statusTimer) window.clearInterval(statusTimer);
    statusTimer = null;
  }

  function onWaiting(message) {
    state.wantPlay = true;
    if (state.screen === "battle") return; // a late echo; the battle wins
    showWaiting(message.online);
  }

  el.find.addEventListener("click", joinQueue);
  el.playAgain.addEventListener("click", joinQueue);
  el.cancel.addEventListener("click", function () {
    state.wantPlay = false;
    send({ type: "cancel" });
    showLobby("You left the queue.");
  });

  // ---------------------------------------------------------------- the battle

  function onBattle(message) {
    var fresh = !state.battle || state.battle.id !== message.id;
    state.battle = {
      id: message.id,
      opponent: message.opponent || { id: "", name: "Opponent" },
      questions: message.questions,
      seconds: message.seconds,
      scores: message.scores || {}
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
    showAway();
    setCue("");
    renderScores(state.battle.scores, false);
    resetLeave();
    el.leave.hidden = false;
    showScreen("battle");
  }

  function showAway() {
    el.themSide.classList.toggle("side--away", state.opponentAway);
    setText(el.themLabel, state.opponentAway ? "Away" : "Opponent");
  }

  function renderScores(scores, animate) {
    if (!state.battle || !scores) return;
    var mine = state.me ? scores[state.me.id] || 0 : 0;
    var theirs = scores[state.battle.opponent.id] || 0;
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

  function resetQuestionCard() {
    el.question.classList.remove("question--closed", "question--enter");
    el.answerForm.hidden = true;
    el.tools.hidden = true;
    el.choices.hidden = true;
    el.reveal.hidden = true;
    el.qCategory.hidden = true;
    setText(el.feedback, "");
    el.feedback.className = "feedback";
    el.timer.className = "timer";
    setText(el.timerSeconds, "");
    el.timerBar.style.transition = "none";
    el.timerBar.style.transform = "scaleX(1)";
  }

  function onQuestion(message) {
    if (!state.battle) return;
    var same = state.q && state.q.q === message.q;
    state.q = {
      q: message.q,
      text: message.text,
      triesLeft: typeof message.tries_left === "number" ? message.tries_left : 3,
      mode: "typing",     // typing | notries | loading | choices | picked | closed
      choices: null,
      picked: typeof message.choice === "number" ? message.choice : null,
      lockedOut: !!message.locked_out,
      pending: false
    };
    resetQuestionCard();
    setText(el.qNumber, "Question " + (message.q + 1) + " of " + state.battle.questions);
    setText(el.qCategory, message.category || "");
    el.qCategory.hidden = !message.category;
    setText(el.qText, message.text);
    if (!same) {
      setCue(state.opponentAway ? opponentName() + " lost connection — waiting for them to come back." : "",
             state.opponentAway ? "warn" : "");
      el.answerInput.value = "";
    }
    void el.question.offsetWidth;
    el.question.classList.add("question--enter");
    el.answerForm.hidden = false;
    el.tools.hidden = false;
    el.answerInput.disabled = false;
    el.answerInput.readOnly = false;
    el.showAlternatives.disabled = false;
    el.showAlternatives.hidden = false;
    renderTries();
    if (state.q.triesLeft <= 0) noTriesLeft(false);
    startTimer(Number(message.seconds) || 0, Number(state.battle.seconds) || Number(message.seconds) || 1);
    if (state.q.mode === "typing") el.answerInput.focus();
    announce("Question " + (message.q + 1) + (message.category ? ", " + message.category : "") + ": " + message.text);
  }

  function renderTries() {
    var n = state.q ? state.q.triesLeft : 0;
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
    if (kind) {
      void el.feedback.offsetWidth;
      el.feedback.classList.add("feedback--pop");
    }
  }

  el.answerForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = state.q;
    if (!q || q.mode !== "typing" || q.pending) return;
    var text = el.answerInput.value.trim().slice(0, MAX_ANSWER_CHARS);
    if (!text) {
      el.answerInput.classList.remove("shake");
      void el.answerInput.offsetWidth;
      el.answerInput.classList.add("shake");
      return;
    }
    if (send({ type: "answer", q: q.q, text: text })) {
      q.pending = true;
      el.answerInput.readOnly = true;
      setFeedback("Checking…", "");
    }
  });

  function onWrong(message) {
    var q = state.q;
    if (!q || message.q !== q.q) return;
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
    el.question.classList.remove("shake");
    void el.question.offsetWidth;
    el.question.classList.add("shake");
  }

  el.showAlternatives.addEventListener("click", function () {
    var q = state.q;
    if (!q || (q.mode !== "typing" && q.mode !== "notries")) return;
    if (send({ type: "alternatives", q: q.q })) {
      q.previousMode = q.mode;
      q.mode = "loading";
      el.showAlternatives.disabled = true;
      el.answerInput.disabled = true;
    }
  });

  function onAlternatives(message) {
    var q = state.q;
    if (!q || message.q !== q.q || !Array.isArray(message.choices)) return;
    q.choices = message.choices.slice(0, 4);
    q.mode = "choices";
    el.answerForm.hidden = true;
    el.tools.hidden = true;
    el.choices.hidden = false;
    el.choiceButtons.forEach(function (button, i) {
      var text = q.choices[i];
      button.hidden = text == null;
      button.disabled = false;
      button.className = "choice";
      setText(button.querySelector(".choice__text"), text);
    });
    if (q.lockedOut) {
      markWrongPick(q.picked);
      return;
    }
    setFeedback("Pick one: click it or press 1–4.", "");
    el.choiceButtons[0].focus();
  }

  function markWrongPick(index) {
    var q = state.q;
    q.mode = "picked";
    q.picked = index;
    el.choiceButtons.forEach(function (button, i) {
      button.disabled = true;
      button.classList.remove("choice--picked");
      if (i === index) button.classList.add("choice--wrong");
    });
    setFeedback("Not that one — you are out of this question. Waiting for the reveal…", "bad");
  }

  function choose(index) {
    var q = state.q;
    if (!q || q.mode !== "choices" || !q.choices || q.choices[index] == null) return;
    if (!send({ type: "choose", q: q.q, choice: index })) return;
    q.mode = "picked";
    q.picked = index;
    el.choiceButtons.forEach(function (button, i) {
      button.disabled = true;
      if (i === index) button.classList.add("choice--picked");
    });
    setFeedback("Locked in: " + q.choices[index] + ". Waiting for the reveal…", "");
  }

  el.choiceButtons.forEach(function (button) {
    button.addEventListener("click", function () { choose(Number(button.dataset.choice)); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    if (state.screen !== "battle" || !state.q || state.q.mode !== "choices") return;
    if (event.key >= "1" && event.key <= "4") {
      event.preventDefault();
      choose(Number(event.key) - 1);
    }
  });

  var CUES = {
    typed_wrong: function (name) { return [name + " typed a wrong answer.", "info"]; },
    alternatives: function (name) { return [name + " opened the alternatives.", "info"]; },
    chose_wrong: function (name) { return [name + " picked a wrong alternative.", "good"]; },
    dropped: function (name, message) {
      var grace = typeof message.seconds === "number" ? " (" + Math.round(message.seconds) + " s)" : "";
      return [name + " lost connection — waiting for them to come back" + grace + ".", "warn"];
    },
    back: function (name) { return [name + " is back.", "info"]; }
  };

  function onOpponent(message) {
    var cue = CUES[message.action];
    if (!cue || !state.battle) return;
    if (message.action === "dropped") state.opponentAway = true;
    if (message.action === "back") state.opponentAway = false;
    showAway();
    var said = cue(opponentName(), message);
    setCue(said[0], said[1]);
    bump(el.cue);
    announce(said[0]);
  }

  function onReveal(message) {
    if (!state.battle) return;
    var q = state.q;
    if (!q || q.q !== message.q) {
      // Resumed between questions: we never saw this question's text.
      state.q = q = { q: message.q, text: "", triesLeft: 0, mode: "closed", choices: null, picked: null };
      resetQuestionCard();
      setText(el.qNumber, "Question " + (message.q + 1) + " of " + state.battle.questions);
      setText(el.qText, "This question has closed.");
    }
    q.mode = "closed";
    q.pending = false;
    freezeTimer();
    el.question.classList.add("question--closed");
    el.answerInput.disabled = true;
    el.showAlternatives.disabled = true;
    el.tools.hidden = true;
    el.answerForm.hidden = true;
    var me = state.me ? state.me.id : null;
    var how = message.how === "typed" ? "typed it" : message.how === "choice" ? "with the alternatives" : "";
    var headline;
    var kind;
    if (message.by && message.by === me) {
      headline = "You got it! +" + message.points + (message.how === "choice" ? " (alternatives)" : "");
      kind = "good";
    } else if (message.by) {
      headline = "Stolen by " + opponentName() + " — +" + message.points + (how ? ", " + how : "");
      kind = "bad";
    } else {
      headline = "Nobody got this one.";
      kind = "neutral";
    }
    el.reveal.className = "reveal reveal--" + kind;
    setText(el.revealHeadline, headline);
    setText(el.revealAnswer, message.answer);
    fillNotes(el.revealNotes, message);
    var last = message.q + 1 >= state.battle.questions;
    state.finalRevealAt = last ? Date.now() : null;
    setText(el.revealNext, last ? "That was the last question…" : "Next question coming up…");
    el.reveal.hidden = false;
    if (q.choices) {
      el.choices.hidden = false;
      el.choiceButtons.forEach(function (button, i) {
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
    setCue(state.opponentAway ? opponentName() + " lost connection — waiting for them to come back." : "",
           state.opponentAway ? "warn" : "");
    renderScores(message.scores, true);
    announce(headline + " The answer was " + message.answer + ".");
  }

  // ---------------------------------------------------------------- the timer (animation only)

  var timerInterval = null;
  var timerDeadline = 0;
  var timerTotal = 1;

  function startTimer(seconds, total) {
    stopTimer();
    timerTotal = Math.max(total, seconds, 0.001);
    timerDeadline = performance.now() + seconds * 1000;
    var bar = el.timerBar;
    bar.style.transition = "none";
    bar.style.transform = "scaleX(" + Math.min(1, seconds / timerTotal) + ")";
    void bar.offsetWidth; // commit the start before animating to the end
    bar.style.transition = "transform " + seconds + "s linear";
    bar.style.transform = "scaleX(0)";
    updateTimer();
    timerInterval = window.setInterval(updateTimer, 100);
  }

  function updateTimer() {
    var left = Math.max(0, timerDeadline - performance.now()) / 1000;
    var share = left / timerTotal;
    el.timer.className = "timer" + (share <= 0.25 || left <= 3 ? " timer--danger" : share <= 0.5 ? " timer--warn" : "");
    setText(el.timerSeconds, Math.ceil(left) + "s");
    if (left <= 0) stopTimer();
  }

  function stopTimer() {
    if (timerInterval) window.clearInterval(timerInterval);
    timerInterval = null;
  }

  function freezeTimer() {
    stopTimer();
    var bar = el.timerBar;
    var now = window.getComputedStyle(bar).transform;
    bar.style.transition = "none";
    bar.style.transform = now && now !== "none" ? now : "scaleX(0)";
  }

  // ---------------------------------------------------------------- leaving

  var leaveArmed = null;

  function resetLeave() {
    if (leaveArmed) window.clearTimeout(leaveArmed);
    leaveArmed = null;
    setText(el.leave, "Give up");
    el.leave.classList.remove("button--danger");
  }

  el.leave.addEventListener("click", function () {
    if (!leaveArmed) {
      setText(el.leave, "Really give up? Click again to forfeit");
      el.leave.classList.add("button--danger");
      leaveArmed = window.setTimeout(resetLeave, 4000);
      return;
    }
    resetLeave();
    send({ type: "leave" });
  });

  // ---------------------------------------------------------------- the end

  function onEnd(message) {
    var battle = state.battle;
    if (!battle || (message.id && message.id !== battle.id)) return;
    stopTimer();
    state.q = null;
    state.wantPlay = false;
    el.leave.hidden = true;
    // The last reveal and the end arrive together: let the last answer be seen first.
    var shown = state.finalRevealAt ? Date.now() - state.finalRevealAt : Infinity;
    state.finalRevealAt = null;
    if (shown < LAST_REVEAL_MS) {
      window.setTimeout(function () { showResult(message, battle); }, LAST_REVEAL_MS - shown);
    } else {
      showResult(message, battle);
    }
  }

  function showResult(message, battle) {
    if (state.battle !== battle) return; // a new battle started meanwhile
    var me = state.me ? state.me.id : null;
    var them = battle.opponent;
    var scores = message.scores || {};
    var mine = scores[me] || 0;
    var theirs = scores[them.id] || 0;
    var title;
    var badge;
    var outcome;
    if (message.winner == null) { title = "It's a draw"; badge = "="; outcome = "draw"; }
    else if (message.winner === me) { title = "You win!"; badge = "★"; outcome = "win"; }
    else { title = "You lose"; badge = "✕"; outcome = "lose"; }
    var sub;
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
    var card = $("result");
    card.className = "card result result--" + outcome;
    setText(el.resultBadge, badge);
    setText(el.resultTitle, title);
    setText(el.resultSub, sub);
    setText(el.finalMeName, state.me ? state.me.name + " (you)" : "You");
    setText(el.finalMeScore, mine);
    setText(el.finalThemName, them.name);
    setText(el.finalThemScore, theirs);
    renderRatings(message.ratings, me, them);
    renderReview(message.review || [], me, them);
    showScreen("result");
    el.resultTitle.focus();
    announce(title + " " + sub);
  }

  // ---------------------------------------------------------------- ratings and notes

  // "1512?" while provisional, "1512" once established.
  function ratingText(value, provisional) { return value + (provisional ? "?" : ""); }

  // "1500? → 1512? (+12)"; no `ratings` (a guest in the battle): nothing shown.
  function renderRatings(ratings, me, them) {
    var box = el.resultRatings;
    box.textContent = "";
    box.hidden = true;
    if (!ratings || !ratings[me] || !ratings[them.id]) return;
    [[me, "Your rating"], [them.id, them.name + "'s rating"]].forEach(function (pair) {
      var change = ratings[pair[0]];
      var delta = change.after - change.before;
      var row = make("div", "ratings__row");
      row.setAttribute("data-player", pair[0] === me ? "me" : "them");
      row.appendChild(make("dt", "ratings__who", pair[1]));
      var dd = make("dd", "ratings__change");
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

  // Only http(s) addresses become links: a player wrote this one.
  function safeHref(link) {
    try {
      var url = new URL(link);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (err) {
      return null;
    }
  }

  // A question's explanation and source link (from `reveal` or an `end.review` item), as text.
  function fillNotes(box, source) {
    box.textContent = "";
    var explanation = typeof source.explanation === "string" ? source.explanation : "";
    var link = typeof source.link === "string" ? source.link : "";
    if (explanation) box.appendChild(make("p", "notes__explanation", explanation));
    if (link) {
      var line = make("p", "notes__source");
      line.appendChild(document.createTextNode("Source: "));
      var href = safeHref(link);
      if (href) {
        var a = make("a", "notes__link", link);
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

  function renderReview(items, me, them) {
    el.review.textContent = "";
    items.forEach(function (item) {
      var li = make("li", "review__item");
      var head = make("div", "review__head");
      head.appendChild(make("span", "review__number", "Q" + (item.q + 1)));
      head.appendChild(make("p", "review__text", item.text));
      li.appendChild(head);

      var answer = make("p", "review__answer");
      answer.appendChild(document.createTextNode("Answer: "));
      answer.appendChild(make("strong", "", item.answer));
      li.appendChild(answer);
      var notes = make("div", "notes");
      fillNotes(notes, item);
      if (!notes.hidden) li.appendChild(notes);

      var taken;
      var kind;
      var how = item.how === "typed" ? "typed it, +3" : item.how === "choice" ? "with the alternatives, +1" : "";
      if (item.by && item.by === me) { taken = "You took it — " + how; kind = "me"; }
      else if (item.by) { taken = them.name + " took it — " + how; kind = "them"; }
      else { taken = "Nobody took it"; kind = "nobody"; }
      li.appendChild(make("p", "review__taken review__taken--" + kind, taken));

      var typed = item.typed || {};
      var dl = make("dl", "review__typed");
      [[me, "You typed"], [them.id, them.name + " typed"]].forEach(function (pair) {
        var list = typed[pair[0]] || [];
        dl.appendChild(make("dt", "", pair[1]));
        var dd = make("dd", list.length ? "" : "muted");
        if (list.length) {
          list.forEach(function (text, i) {
            if (i) dd.appendChild(document.createTextNode(", "));
            dd.appendChild(make("q", "typed", text));
          });
        } else {
          dd.textContent = "nothing";
        }
        dl.appendChild(dd);
      });
      li.appendChild(dl);
      li.appendChild(reportControl(item.q));
      el.review.appendChild(li);
    });
  }

  // ---------------------------------------------------------------- reports

  var reportSerial = 0;

  function reportControl(q) {
    reportSerial += 1;
    var box = make("div", "report");
    var toggle = make("button", "button button--link report__toggle", "Report this question");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    var form = make("form", "report__form");
    form.hidden = true;
    var inputId = "report-reason-" + reportSerial;
    form.id = "report-form-" + reportSerial;
    toggle.setAttribute("aria-controls", form.id);
    var label = make("label", "report__label", "What is wrong with this question?");
    label.htmlFor = inputId;
    var input = make("input", "report__input");
    input.id = inputId;
    input.type = "text";
    input.maxLength = MAX_REASON_CHARS;
    input.required = true;
    input.placeholder = "e.g. the answer is out of date";
    var sendButton = make("button", "button button--primary button--small", "Send report");
    sendButton.type = "submit";
    var status = make("p", "report__status");
    status.setAttribute("role", "status");
    form.appendChild(label);
    var row = make("div", "report__row");
    row.appendChild(input);
    row.appendChild(sendButton);
    form.appendChild(row);
    box.appendChild(toggle);
    box.appendChild(form);
    box.appendChild(status);

    toggle.addEventListener("click", function () {
      var open = form.hidden;
      form.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var reason = input.value.trim();
      if (!reason) {
        setText(status, "Please say briefly what is wrong.");
        status.className = "report__status report__status--bad";
        input.focus();
        return;
      }
      if (!send({ type: "report", q: q, reason: reason.slice(0, MAX_REASON_CHARS) })) {
        setText(status, "Not sent: not connected. Try again in a moment.");
        status.className = "report__status report__status--bad";
        return;
      }
      // A stored report is acknowledged with `reported`; a refused one gets an `error`.
      form.hidden = true;
      toggle.hidden = true;
      setText(status, "Sending the report…");
      status.className = "report__status";
      var pending = { q: q, at: Date.now(), status: status, toggle: toggle, form: form };
      pending.timer = window.setTimeout(function () { reportUnanswered(pending); }, REPORT_ACK_MS);
      state.pendingReport = pending;
    });
    return box;
  }

  function onReported(message) {
    var pending = state.pendingReport;
    if (!pending || pending.q !== message.q) return; // another tab's report, or one already settled
    window.clearTimeout(pending.timer);
    state.pendingReport = null;
    setText(pending.status, "Report sent — thanks. A moderator will take a look.");
    pending.status.className = "report__status report__status--good";
  }

  function reportUnanswered(pending) {
    if (state.pendingReport !== pending) return;
    state.pendingReport = null;
    setText(pending.status, "No answer from the server: the report may not have been stored. Try again.");
    pending.status.className = "report__status report__status--bad";
    pending.toggle.hidden = false;
    pending.form.hidden = false;
  }

  function reportRefused(message) {
    var pending = state.pendingReport;
    state.pendingReport = null;
    window.clearTimeout(pending.timer);
    setText(pending.status, "Not sent: " + (message.message || message.code));
    pending.status.className = "report__status report__status--bad";
    if (message.code !== "already_reported") {
      pending.toggle.hidden = false;
      pending.form.hidden = false;
    }
  }

  // ---------------------------------------------------------------- errors

  function onError(message) {
    var code = message.code;
    var pending = state.pendingReport;
    if (pending && Date.now() - pending.at < REPORT_ERROR_WINDOW_MS && REPORT_ERRORS.indexOf(code) >= 0) {
      reportRefused(message);
      return;
    }
    if (code === "too_many_connections") {
      // The server closes this connection next; lost() says why and waits before retrying.
      turnedAway = "Kwissle is open in too many tabs or devices on your network: close one";
      return;
    }
    if (code === "bad_ticket") {
      // An expired ticket: reconnect with a fresh one.
      if (sock) sock.close();
      return;
    }
    if (state.q && state.q.pending && (code === "locked_out" || code === "question_closed")) {
      state.q.pending = false;
      el.answerInput.readOnly = false;
    }
    if (state.q && state.q.mode === "loading") {
      state.q.mode = state.q.previousMode || "typing";
      el.showAlternatives.disabled = false;
      el.answerInput.disabled = state.q.mode !== "typing";
    }
    if (code === "shutting_down") {
      // `play` while the server restarts: we play again once reconnected to the next one.
      restarting = true;
      setConnection(RESTART_NOTICE, "");
      return;
    }
    if (code === "no_questions") {
      showLobby(message.message ? "No battle this time: " + message.message + "." : "There are no questions to play yet.");
      return;
    }
    if (QUIET_ERRORS.indexOf(code) >= 0) return;
    toast(message.message || "That did not work (" + code + ").", "bad");
  }

  // ---------------------------------------------------------------- go

  connect();
})();
