// The product page's spec selector: the shopper picks a value per spec and the page shows the
// matching SKU's price, list price, code and availability. Prices arrive formatted ("¥129.00")
// in the page's JSON, so no arithmetic on money happens here.
(function () {
  "use strict";

  function start() {
    const box = document.querySelector("[data-spec-selector]");
    const data = document.getElementById("sku-data");
    if (!box || !data) return;
    const skus = JSON.parse(data.textContent);
    const fieldsets = Array.from(box.querySelectorAll("fieldset[data-spec-name], fieldset[data-by-sku]"));
    if (!fieldsets.length) return;
    const price = document.getElementById("sku-price");
    const listPrice = document.getElementById("sku-list-price");
    const availability = document.getElementById("sku-availability");
    const code = document.getElementById("sku-code");
    const text = box.dataset;
    const lowStock = parseInt(text.lowStock || "5", 10);

    function spec(fieldset) {
      return fieldset.hasAttribute("data-by-sku") ? null : fieldset.dataset.specName;
    }

    function matches(sku, picked) {
      return picked.every(function (choice) {
        return choice.name === null ? String(sku.id) === choice.value : sku.spec[choice.name] === choice.value;
      });
    }

    function picked() {
      const found = [];
      fieldsets.forEach(function (fieldset) {
        const input = fieldset.querySelector("input:checked");
        if (input) found.push({ name: spec(fieldset), value: input.value });
      });
      return found;
    }

    function stockText(sku) {
      if (sku.available <= 0) return text.textOutOfStock;
      if (sku.available <= lowStock) return text.textLowStock.replace("__COUNT__", String(sku.available));
      return text.textInStock;
    }

    function update() {
      const choices = picked();
      // Grey out values that, with the other choices kept, lead to no SKU in stock.
      fieldsets.forEach(function (fieldset) {
        const name = spec(fieldset);
        const others = choices.filter(function (choice) { return choice.name !== name; });
        fieldset.querySelectorAll("input").forEach(function (input) {
          const trial = others.concat([{ name: name, value: input.value }]);
          const buyable = skus.some(function (sku) { return matches(sku, trial) && sku.available > 0; });
          input.closest("label").classList.toggle("sold-out", !buyable);
        });
      });
      const sku = choices.length === fieldsets.length
        ? skus.find(function (candidate) { return matches(candidate, choices); })
        : undefined;
      box.classList.toggle("has-sku", Boolean(sku));
      if (!sku) {
        price.textContent = price.dataset.range;
        listPrice.textContent = "";
        code.textContent = "—";
        availability.textContent = choices.length === fieldsets.length ? text.textNotSold : text.textChoose;
        availability.dataset.state = "none";
        const noSku = document.getElementById("cart-sku");
        if (noSku) noSku.value = "";
        return;
      }
      price.textContent = sku.price;
      listPrice.textContent = sku.list_price;
      code.textContent = sku.code;
      availability.textContent = stockText(sku);
      availability.dataset.state = sku.available > 0 ? "in-stock" : "out-of-stock";
      box.dataset.skuId = String(sku.id);
      const cartSku = document.getElementById("cart-sku");
      if (cartSku) cartSku.value = String(sku.id);
    }

    box.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
