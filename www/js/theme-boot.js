// Classic script in <head>: applies the saved theme before first paint (no flash).
(function () {
  try {
    var t = localStorage.getItem('allocator-playground:theme');
    if (t === 'light' || t === 'dark') document.documentElement.setAttribute('data-theme', t);
  } catch (e) { /* storage may be blocked */ }
}());
