// 报送与生成系统: drop zones, automatic filters and build progress. Pages work without it too.
(function () {
  "use strict";

  function submit(form) {
    form.classList.add("is-sending");
    form.submit();
  }

  document.querySelectorAll("form.dropzone").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    input.addEventListener("change", function () { if (input.files.length) submit(form); });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("is-over");
      });
    });
    form.addEventListener("dragleave", function () { form.classList.remove("is-over"); });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      form.classList.remove("is-over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      if (!input.multiple && event.dataTransfer.files.length > 1) {
        alert("请一次只上传一个工作簿。");
        return;
      }
      input.files = event.dataTransfer.files;
      submit(form);
    });
  });

  document.querySelectorAll("form.picker input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () { if (input.files.length) input.form.submit(); });
  });

  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A button that starts a slow step says so, and is not pressed twice.
  document.querySelectorAll("form[data-busy]").forEach(function (busy) {
    busy.addEventListener("submit", function () {
      var button = busy.querySelector("button");
      button.textContent = busy.dataset.busy;
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  var form = document.querySelector("form.build-form");
  var progress = document.getElementById("build-progress");
  if (form && progress) {
    form.addEventListener("submit", function () {
      document.getElementById("build-button").disabled = true;
    });
    if (progress.dataset.running === "yes") poll();
  }

  function poll() {
    fetch(progress.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (!status.running) { window.location.reload(); return; }
        var percent = Math.round((status.fraction || 0) * 1000) / 10;
        document.getElementById("build-stage").textContent = status.stage || "准备";
        document.getElementById("build-seconds").textContent = status.seconds;
        document.getElementById("build-bar").style.width = percent + "%";
        progress.querySelector("[role=progressbar]").setAttribute("aria-valuenow", Math.round(percent));
        setTimeout(poll, 600);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
})();
