"""Product search: the segmented search documents, the ranked query and search-box suggestions.

The one module that knows which database runs the full-text index (SQLite FTS5 or PostgreSQL
text search, both created by migration 0003). Both rank the same way: products whose title holds
more of the query words first, then best sellers, then newest; every query word must match in the
title, brand, category path, scenes, selling points or SKU spec values, the last one also as the
start of a longer word (what the shopper is still typing). English words match by their stem
(`domain/segment.py`), so singular and plural find each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum

from shopkeeper.catalog.domain.segment import completes, document_tokens, query_terms
from shopkeeper.catalog.enums import ProductStatus
from shopkeeper.catalog.models import Brand, Category, Product, ProductSearchDocument, Scene, Sku

# Longer queries are cut here before segmenting: nobody types more, and jieba's time grows with it.
MAX_QUERY_CHARS = 100
INDEX_BATCH = 1000
SUGGEST_NAMES = 3  # brand, category and scene names lead the suggestions, but never crowd out products


@dataclass(frozen=True)
class SearchResult:
    ids: list[int] = field(default_factory=list)  # best match first
    total: int = 0  # all matches, not only this page


# --- indexing -------------------------------------------------------------------------------


def search_index_products(product_ids: Iterable[int]) -> None:
    """Write the search documents of these products from what they are now (five queries per
    thousand products); documents of products that no longer exist go. The database keeps its
    full-text index in step with the documents (triggers on SQLite, indexes on PostgreSQL)."""
    ids = sorted({int(pk) for pk in product_ids})
    for start in range(0, len(ids), INDEX_BATCH):
        _index_batch(ids[start : start + INDEX_BATCH])


def search_reindex_all(batch_size: int = 1000) -> int:
    """Rewrite every product's search document; returns how many products were indexed."""
    done = 0
    last = 0
    while True:
        batch = list(Product.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        for start in range(0, len(batch), INDEX_BATCH):
            _index_batch(batch[start : start + INDEX_BATCH])
        done += len(batch)
        last = batch[-1]
    ProductSearchDocument.objects.exclude(product__in=Product.objects.all()).delete()
    if connection.vendor == "sqlite":
        # Re-reads every document into the FTS table: repairs it if its triggers were ever lost
        # (SQLite drops them when a migration rebuilds the document table) and leaves it merged.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO catalog_search_fts(catalog_search_fts) VALUES ('rebuild')")
    return done


def _index_batch(ids: Sequence[int]) -> None:
    products = list(
        Product.objects.filter(pk__in=ids).values(
            "pk", "title", "status", "selling_points", "brand__name", "brand__name_en", "category_id", "category__path"
        )
    )
    paths = {row["pk"]: _path_ids(row["category__path"]) or [row["category_id"]] for row in products}
    node_ids = {node for path in paths.values() for node in path}
    categories = {
        pk: (name, name_en)
        for pk, name, name_en in Category.objects.filter(pk__in=node_ids).values_list("pk", "name", "name_en")
    }
    scenes: dict[int, list[str]] = defaultdict(list)
    for product_id, name, name_en in Product.scenes.through.objects.filter(product_id__in=ids).values_list(
        "product_id", "scene__name", "scene__name_en"
    ):
        scenes[product_id] += [name, name_en]
    specs: dict[int, list[str]] = defaultdict(list)
    for product_id, values in Sku.objects.filter(product_id__in=ids, is_active=True).values_list(
        "product_id", "spec_values"
    ):
        if isinstance(values, dict):
            specs[product_id] += [str(value) for value in values.values()]

    documents = []
    for row in products:
        pk = row["pk"]
        points = row["selling_points"] if isinstance(row["selling_points"], list) else []
        words = [
            row["brand__name"],
            row["brand__name_en"],
            *(name for node in paths[pk] for name in categories.get(node, ())),
            *scenes[pk],
            *(str(point) for point in points),
            *specs[pk],
        ]
        documents.append(
            ProductSearchDocument(
                product_id=pk,
                title_tokens=" ".join(document_tokens(row["title"])),
                other_tokens=" ".join(document_tokens(*words)),
                is_listed=row["status"] == ProductStatus.LISTED,
            )
        )
    gone = set(ids) - set(paths)
    with transaction.atomic():
        ProductSearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["product"],
            update_fields=["title_tokens", "other_tokens", "is_listed"],
        )
        if gone:
            ProductSearchDocument.objects.filter(product_id__in=gone).delete()


def _path_ids(path: str) -> list[int]:
    """The category ids of a tree path, root first: "1/5/12/" → [1, 5, 12]."""
    return [int(part) for part in path.split("/") if part.isdigit()]


# --- searching ------------------------------------------------------------------------------


class _Dialect:
    """How one database finds documents: `words_sql` selects the ids of documents holding every
    word of its parameter, `title_sql` those whose title does (`prefix=True` makes the last word a
    prefix). Both SQL strings are constants; the words are parameters."""

    words_sql: str
    title_sql: str
    as_int: str = ""

    def words_query(self, terms: Sequence[str], *, prefix: bool = False) -> str:
        raise NotImplementedError

    def title_query(self, terms: Sequence[str], *, prefix: bool = False) -> str:
        raise NotImplementedError


class _SQLite(_Dialect):
    # FTS5 table of migration 0003; a column filter in the parameter picks the title.
    words_sql = "SELECT rowid AS id FROM catalog_search_fts WHERE catalog_search_fts MATCH %s"
    title_sql = words_sql

    def words_query(self, terms: Sequence[str], *, prefix: bool = False) -> str:
        phrases = [_fts_phrase(term) for term in terms]
        if prefix:
            phrases[-1] += "*"
        return " AND ".join(phrases)

    def title_query(self, terms: Sequence[str], *, prefix: bool = False) -> str:
        phrases = [_fts_phrase(term) for term in terms]
        if prefix:
            phrases[-1] += "*"
        return "title_tokens : (" + " AND ".join(phrases) + ")"


class _PostgreSQL(_Dialect):
    # The expressions of the GIN indexes of migration 0003, written exactly as indexed.
    words_sql = (
        "SELECT product_id AS id FROM catalog_productsearchdocument "
        "WHERE to_tsvector('simple'::regconfig, title_tokens || ' ' || other_tokens) "
        "@@ to_tsquery('simple'::regconfig, %s)"
    )
    title_sql = (
        "SELECT product_id AS id FROM catalog_productsearchdocument "
        "WHERE to_tsvector('simple'::regconfig, title_tokens) @@ to_tsquery('simple'::regconfig, %s)"
    )
    as_int = "::int"

    def words_query(self, terms: Sequence[str], *, prefix: bool = False) -> str:
        lexemes = [_tsquery_lexeme(term) for term in terms]
        if prefix:
            lexemes[-1] += ":*"
        return " & ".join(lexemes)

    def title_query(self, terms: Sequence[str], *, prefix: bool = False) -> str:
        lexemes = [_tsquery_lexeme(term) for term in terms]
        if prefix:
            lexemes[-1] += ":*"
        return " & ".join(lexemes)


_DIALECTS: dict[str, _Dialect] = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}


def _dialect() -> _Dialect:
    try:
        return _DIALECTS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"product search has no full-text index on {connection.vendor}") from None


def product_search(q: str, *, listed_only: bool = True, limit: int = 50, offset: int = 0) -> SearchResult:
    """Products matching every word of `q` (the last one also as the start of a word): those with
    more of the words in their title first, then best sellers, then newest. Any text is a valid
    query: it is cut into words and each word is quoted, so search syntax in it ("OR", *, -, :,
    quotes, brackets) is only characters."""
    terms = query_terms(q[:MAX_QUERY_CHARS])
    if not terms:
        return SearchResult()
    prefix = completes(terms[-1])
    dialect = _dialect()
    limit, offset = max(limit, 0), max(offset, 0)
    listed = "AND d.is_listed" if listed_only else ""
    title_hits = " + ".join([f"(hits.id IN ({dialect.title_sql})){dialect.as_int}"] * len(terms))
    sql = f"""
        WITH hits AS ({dialect.words_sql})
        SELECT p.id, COUNT(*) OVER () AS total, {title_hits} AS title_hits
        FROM hits
        JOIN catalog_productsearchdocument d ON d.product_id = hits.id {listed}
        JOIN catalog_product p ON p.id = hits.id
        ORDER BY title_hits DESC, p.sales_count DESC, p.id DESC
        LIMIT %s OFFSET %s
    """  # noqa: S608  (only constant SQL is put together here; the words are parameters)
    last = len(terms) - 1
    title_params = [dialect.title_query([term], prefix=prefix and i == last) for i, term in enumerate(terms)]
    words = dialect.words_query(terms, prefix=prefix)
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, *title_params, limit, offset])
        rows = cursor.fetchall()
        if rows or (offset == 0 and limit > 0):
            return SearchResult(ids=[row[0] for row in rows], total=rows[0][1] if rows else 0)
        # A page past the end (or of no rows) still says how many there are.
        count = f"""
            WITH hits AS ({dialect.words_sql})
            SELECT COUNT(*) FROM hits JOIN catalog_productsearchdocument d ON d.product_id = hits.id {listed}
        """  # noqa: S608  (as above)
        cursor.execute(count, [words])
        return SearchResult(ids=[], total=cursor.fetchone()[0])


def search_suggest(prefix: str, limit: int = 8) -> list[str]:
    """What the shopper may be typing: names first (brands, then the English names of categories
    and scenes, which product titles written in Chinese never hold), then titles of listed
    products, best sellers first, that start with `prefix` or hold words that do (the last word as
    a prefix). Titles that start with it come before titles that only contain it. No spelling
    correction."""
    prefix = prefix.strip()[:MAX_QUERY_CHARS]
    terms = query_terms(prefix)
    if not terms or limit <= 0:
        return []
    dialect = _dialect()
    names = min(limit, SUGGEST_NAMES)
    found = _brands_starting(prefix, names)
    for name in _english_names_starting(prefix, names):
        if len(found) < names and name.lower() not in {seen.lower() for seen in found}:
            found.append(name)
    sql = f"""
        WITH hits AS ({dialect.title_sql})
        SELECT p.title FROM hits
        JOIN catalog_productsearchdocument d ON d.product_id = hits.id AND d.is_listed
        JOIN catalog_product p ON p.id = hits.id
        ORDER BY CASE WHEN lower(p.title) LIKE %s ESCAPE '!' THEN 0 ELSE 1 END, p.sales_count DESC, p.id DESC
        LIMIT %s
    """  # noqa: S608  (only constant SQL is put together here; the words are parameters)
    with connection.cursor() as cursor:
        # Spare rows make up for titles that several products share.
        cursor.execute(sql, [dialect.title_query(terms, prefix=True), _like_prefix(prefix.lower()), limit * 3])
        titles = [row[0] for row in cursor.fetchall()]
    seen = {name.lower() for name in found}
    for title in titles:
        if title.lower() not in seen:
            seen.add(title.lower())
            found.append(title)
    return found[:limit]


def _brands_starting(prefix: str, limit: int) -> list[str]:
    """Brands with listed products whose Chinese or English name starts with the prefix, biggest
    sellers first, named the way the shopper is typing them.

    The brand table is small: match it first, then add up sales for those brands only, so the
    planner never walks every listed product on a keystroke (SQLite, without statistics, did).
    """
    matching = {
        pk: (name, name_en)
        for pk, name, name_en in Brand.objects.filter(
            Q(name__istartswith=prefix) | Q(name_en__istartswith=prefix)
        ).values_list("pk", "name", "name_en")[:200]
    }
    if not matching:
        return []
    sold = (
        Product.objects.filter(brand_id__in=list(matching), status=ProductStatus.LISTED)
        .values("brand_id")
        .annotate(sold=Sum("sales_count"))
    )
    ranked = sorted((-(row["sold"] or 0), *matching[row["brand_id"]]) for row in sold)
    lowered = prefix.lower()
    return [name if name.lower().startswith(lowered) else name_en for _sold, name, name_en in ranked[:limit]]


def _english_names_starting(prefix: str, limit: int) -> list[str]:
    """English names of categories (with listed products in them or below them), then of active
    scenes (with listed products), in which a word starts with the prefix: "dre" → "dresses",
    "camp" → "weekend camping". Both tables are small."""
    wanted = Q(name_en__istartswith=prefix) | Q(name_en__icontains=f" {prefix}")
    listed = Product.objects.filter(status=ProductStatus.LISTED)
    categories = (
        Category.objects.filter(wanted)
        .filter(Exists(listed.filter(category__path__startswith=OuterRef("path"))))
        .order_by("depth", "position", "pk")
        .values_list("name_en", flat=True)[:limit]
    )
    scenes = (
        Scene.objects.filter(wanted, is_active=True)
        .filter(Exists(listed.filter(scenes=OuterRef("pk"))))
        .order_by("position", "pk")
        .values_list("name_en", flat=True)[:limit]
    )
    return [*categories, *scenes]


def _fts_phrase(term: str) -> str:
    """An FTS5 string: whatever its characters, words to find, never query syntax."""
    return '"' + term.replace('"', '""') + '"'


def _tsquery_lexeme(term: str) -> str:
    """A quoted tsquery operand, so that &, |, !, :, brackets and quotes in it are plain characters."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _like_prefix(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
