/* A second look before an action that moves money, ends a case or delists.
 * A form marked data-confirm="message" (or a submit button so marked) opens a modal
 * <dialog> with the message; "Confirm" submits as the button would have, "Cancel" or
 * Escape goes back. Without JavaScript the form simply submits (the server's own checks,
 * such as an "I confirm" box, still apply). Labels come from the <body>'s data attributes,
 * translated by the server. */
(function () {
  "use strict";
  var dialog = null;
  var pending = null;

  function labels() {
    var d = document.body.dataset;
    return {
      title: d.confirmTitle || "Please confirm",
      ok: d.confirmOk || "Confirm",
      cancel: d.confirmCancel || "Cancel"
    };
  }

  function build() {
    var text = labels();
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-message");
    var form = document.createElement("form");
    form.method = "dialog";
    var title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    title.textContent = text.title;
    var message = document.createElement("p");
    message.id = "confirm-dialog-message";
    var actions = document.createElement("div");
    actions.className = "actions";
    var ok = document.createElement("button");
    ok.type = "submit";
    ok.value = "ok";
    ok.className = "btn";
    ok.dataset.confirmOk = "";
    ok.textContent = text.ok;
    var cancel = document.createElement("button");
    cancel.type = "submit";
    cancel.value = "cancel";
    cancel.className = "btn btn-secondary";
    cancel.dataset.confirmCancel = "";
    cancel.textContent = text.cancel;
    actions.appendChild(ok);
    actions.appendChild(cancel);
    form.appendChild(title);
    form.appendChild(message);
    form.appendChild(actions);
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var job = pending;
      pending = null;
      if (!job) { return; }
      if (dialog.returnValue === "ok") {
        job.form.dataset.confirmed = "1";
        if (job.form.requestSubmit) {
          job.form.requestSubmit(job.submitter || undefined);
        } else {
          job.form.submit();
        }
      } else if (job.submitter) {
        job.submitter.focus();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method === "dialog") { return; }
    var submitter = event.submitter || null;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (!message) { return; }
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    if (typeof HTMLDialogElement === "undefined") { return; }
    event.preventDefault();
    if (!dialog) { build(); }
    dialog.querySelector("#confirm-dialog-message").textContent = message;
    dialog.returnValue = "";
    pending = {form: form, submitter: submitter};
    dialog.showModal();
    dialog.querySelector("[data-confirm-cancel]").focus();
  });
}());
