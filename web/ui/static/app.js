// govsearch pages: small conveniences on top of server-rendered pages that
// work without this script. Loaded as an external file because the pages'
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.add("js");

  // "/" focuses the search box, as on most search sites.
  doc.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = doc.getElementById("q");
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  });

  // Ticking a facet submits the search form at once; empty fields are
  // left out so the URL stays short and shareable.
  var form = doc.getElementById("sf");
  if (form) {
    // A page restored by the back button must show the state its URL
    // describes, not the box the user ticked just before leaving it.
    window.addEventListener("pageshow", function () {
      doc.body.classList.remove("busy");
      var boxes = form.elements;
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].type === "checkbox") boxes[i].checked = boxes[i].defaultChecked;
      }
    });
    form.addEventListener("submit", function () {
      var els = form.elements;
      for (var i = 0; i < els.length; i++) {
        var el = els[i];
        if (el.name && el.type === "hidden" && el.value === "") el.disabled = true;
      }
    });
    doc.addEventListener("change", function (e) {
      var t = e.target;
      if (t && t.type === "checkbox" && t.form === form) {
        doc.body.classList.add("busy");
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  }

  // Research forms leave their empty choices out of the URL.
  doc.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.classList || !(f.classList.contains("research-form") || f.hasAttribute("data-autosubmit"))) return;
    for (var i = 0; i < f.elements.length; i++) {
      var el = f.elements[i];
      if (el.name && el.name !== "q" && el.value === "") el.disabled = true;
    }
  });

  // A filter form marked data-autosubmit applies a choice at once; its
  // button is for browsers without this script.
  doc.addEventListener("change", function (e) {
    var t = e.target;
    var f = t && t.form;
    if (f && t.tagName === "SELECT" && f.hasAttribute("data-autosubmit")) {
      if (f.requestSubmit) f.requestSubmit(); else f.submit();
    }
  });

  // "复制引用" copies a result's citation with its permanent link.
  doc.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button.copy, button.pcopy") : null;
    if (!b || !navigator.clipboard) return;
    var text = b.getAttribute("data-text") + " " + location.origin + b.getAttribute("data-href");
    navigator.clipboard.writeText(text).then(function () {
      b.textContent = "已复制";
      setTimeout(function () { b.textContent = "复制引用"; }, 1500);
    }, function () {
      b.textContent = "无法复制";
    });
  });

  // Reader: step through every highlighted occurrence. Without this script
  // the same buttons jump between matching paragraphs via anchors.
  var bar = doc.getElementById("occbar");
  var marks = doc.querySelectorAll(".paras mark");
  if (bar && marks.length) {
    var pos = doc.getElementById("occpos");
    var cur = -1;
    var target = location.hash ? doc.getElementById(location.hash.slice(1)) : null;
    if (target) {
      // Start from the cited paragraph, so "next" continues from there.
      for (var i = 0; i < marks.length; i++) {
        if (target.contains(marks[i])) { cur = i; break; }
        if (target.compareDocumentPosition(marks[i]) & Node.DOCUMENT_POSITION_FOLLOWING) { cur = i - 1; break; }
      }
      if (cur >= 0 && target.contains(marks[cur])) show(cur, false);
    }
    bar.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest("[data-nav]") : null;
      if (!a) return;
      e.preventDefault();
      var n = marks.length;
      if (a.getAttribute("data-nav") === "next") cur = (cur + 1) % n;
      else cur = cur <= 0 ? n - 1 : cur - 1;
      show(cur, true);
    });
    doc.addEventListener("keydown", function (e) {
      var t = e.target;
      if (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
      if (e.key === "n" || e.key === "j") { cur = (cur + 1) % marks.length; show(cur, true); }
      if (e.key === "N" || e.key === "k") { cur = cur <= 0 ? marks.length - 1 : cur - 1; show(cur, true); }
    });
  }

  // On a narrow screen the table of contents sits above the report: fold
  // it away and keep the cited paragraph in view.
  var toc = doc.querySelector(".toc details");
  if (toc && window.matchMedia && window.matchMedia("(max-width: 980px)").matches) {
    toc.open = false;
    var at = location.hash ? doc.getElementById(location.hash.slice(1)) : null;
    if (at) at.scrollIntoView();
  }

  function show(i, scroll) {
    for (var k = 0; k < marks.length; k++) marks[k].classList.remove("current");
    var m = marks[i];
    m.classList.add("current");
    if (scroll) m.scrollIntoView({ block: "center", behavior: "smooth" });
    if (pos) pos.textContent = "（第 " + (i + 1) + " / " + marks.length + " 处）";
  }
})();
