// The start page's "level you are aiming for" offers only the levels the chosen skill has.
(function () {
  "use strict";
  function offer(skill, target) {
    var option = skill.options[skill.selectedIndex];
    var levels = option && option.dataset.levels ? option.dataset.levels.split(" ") : [];
    var chosen = target.value;
    while (target.options.length > 1) { target.remove(1); }
    levels.forEach(function (n) {
      var o = document.createElement("option");
      o.value = n; o.textContent = n;
      if (n === chosen) { o.selected = true; }
      target.appendChild(o);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var skill = document.getElementById("skill_version");
    var target = document.getElementById("target_level");
    if (!skill || !target) { return; }
    offer(skill, target);
    skill.addEventListener("change", function () { offer(skill, target); });
  });
})();
