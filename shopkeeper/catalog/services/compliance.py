"""The banned-word list and compliance checks of product copy."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from shopkeeper.catalog.domain.compliance import BannedTerm, ComplianceChecker, Hit
from shopkeeper.catalog.enums import BannedWordKind
from shopkeeper.catalog.errors import ComplianceRefused
from shopkeeper.catalog.models import BannedWord, Product
from shopkeeper.core.errors import Conflict, ValidationFailed
from shopkeeper.core.services import ActorContext, audit_record


def compliance_checker() -> ComplianceChecker:
    """A checker over the active banned words (one query)."""
    terms = BannedWord.objects.filter(is_active=True).values_list("word", "kind")
    return ComplianceChecker(BannedTerm(word=word, kind=kind) for word, kind in terms)


def product_copy(title: str, selling_points: Iterable[str], description: str) -> dict[str, str | list[str]]:
    return {"title": title, "selling_points": list(selling_points), "description": description}


def compliance_refusal(hits: list[Hit]) -> ComplianceRefused:
    words = sorted({hit.word for hit in hits})
    return ComplianceRefused(
        _("The copy contains banned advertising words: %(words)s") % {"words": "、".join(words)},
        details={
            "hits": [
                {"field": hit.field, "word": hit.word, "start": hit.start, "end": hit.end, "kind": hit.kind}
                for hit in hits
            ]
        },
    )


def _clean_word(word: str, kind: str) -> tuple[str, str]:
    word = word.strip()
    if not word:
        raise ValidationFailed(_("Enter the word"), details={"word": "required"})
    if len(word) > 32:
        raise ValidationFailed(_("A banned word has at most 32 characters"), details={"word": "too long"})
    if kind not in BannedWordKind.values:
        raise ValidationFailed(_("Unknown kind %(kind)s") % {"kind": kind}, details={"kind": kind})
    return word, kind


def banned_word_add(*, actor: ActorContext, word: str, kind: str = "extreme", note: str = "") -> BannedWord:
    word, kind = _clean_word(word, kind)
    with transaction.atomic():
        if BannedWord.objects.filter(word__iexact=word).exists():
            raise Conflict(_("“%(word)s” is already on the list") % {"word": word}, details={"word": word})
        banned = BannedWord.objects.create(word=word, kind=kind, note=note.strip()[:200])
        audit_record(actor=actor, action="banned_word.add", target=banned, after={"word": word, "kind": kind})
        transaction.on_commit(_rescan_later)
    return banned


def banned_word_update(*, actor: ActorContext, banned: BannedWord, kind: str, note: str, is_active: bool) -> BannedWord:
    _word, kind = _clean_word(banned.word, kind)
    with transaction.atomic():
        before = {"kind": banned.kind, "note": banned.note, "is_active": banned.is_active}
        banned.kind, banned.note, banned.is_active = kind, note.strip()[:200], is_active
        banned.save(update_fields=["kind", "note", "is_active", "updated_at"])
        after = {"kind": banned.kind, "note": banned.note, "is_active": banned.is_active}
        audit_record(actor=actor, action="banned_word.update", target=banned, before=before, after=after)
        transaction.on_commit(_rescan_later)
    return banned


def banned_word_delete(*, actor: ActorContext, banned: BannedWord) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="banned_word.delete", target=banned, before={"word": banned.word})
        banned.delete()
        transaction.on_commit(_rescan_later)


def compliance_rescan_queue(*, actor: ActorContext) -> None:
    """Ask the worker to recount every product's banned-word hits now (the console's "rescan")."""
    with transaction.atomic():
        audit_record(actor=actor, action="compliance.rescan", object_type="catalog.product", object_label="all")
        transaction.on_commit(_rescan_later)


def _rescan_later() -> None:
    from shopkeeper.catalog.tasks import compliance_rescan

    compliance_rescan.delay()


def compliance_rescan_all(batch_size: int = 500) -> int:
    """Recount banned-word hits on every product (after the list changes). Returns products changed."""
    checker = compliance_checker()
    changed = 0
    queryset = Product.objects.order_by("pk").only("pk", "title", "selling_points", "description", "compliance_hits")
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            return changed
        updates = []
        for product in batch:
            count = len(checker.scan(product_copy(product.title, product.selling_points, product.description)))
            if count != product.compliance_hits:
                product.compliance_hits = count
                updates.append(product)
        Product.objects.bulk_update(updates, ["compliance_hits"])
        changed += len(updates)
        last_pk = batch[-1].pk
