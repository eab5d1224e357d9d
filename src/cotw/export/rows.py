"""Rows as the page's HTML shows them: a row looked up by its id, a one-line summary of what it codes,
and where on the page it is shown (its country's page, or the timeline list), so that the source
viewer, the country pages and the timeline link to each other the same way."""
from __future__ import annotations

from .markup import plain
from .viewer import row_id_field, short

SHOWN_ON_COUNTRY = ("positions", "conditions", "contributions", "statements")  # rows with an actor: on its country's page


class Rows:
    def __init__(self, tables: dict):
        self.tables = tables
        self._by: dict[str, dict[str, dict]] = {}
        self._grouped: dict[tuple[str, str], dict] = {}
        countries = tables.get("countries")
        self.codes = set(countries.columns.get("code", [])) if countries is not None else set()

    def table(self, name: str) -> dict[str, dict]:
        """{row id: row} of a table with a one-field primary key (empty otherwise)."""
        if name not in self._by:
            t = self.tables.get(name)
            key = row_id_field(t) if t is not None else None
            cols = [f["name"] for f in t.fields] if t is not None else []
            self._by[name] = ({} if key is None else
                              {r[key]: r for r in (dict(zip(cols, vals)) for vals in t.records())})
        return self._by[name]

    def by_country(self, name: str) -> dict[str, list[dict]]:
        """{country: [row with its id as `_id`, in table order]}: each page takes its own rows from here,
        so that a page per country costs the rows once, not once per country."""
        key = ("by_country", name)
        if key not in self._grouped:
            groups: dict[str, list[dict]] = {}
            for rid, r in self.table(name).items():
                groups.setdefault(r.get("country"), []).append(dict(r, _id=rid))
            self._grouped[key] = groups
        return self._grouped[key]

    def get(self, name: str, rid: str) -> dict:
        return self.table(name).get(rid, {})

    def describe(self, name: str, rid: str) -> str:
        r = self.get(name, rid)
        def g(k, missing=""):
            return r.get(k) if r.get(k) not in (None, "") else missing

        when = g("date", "undated")
        if name == "positions":
            return f'{g("country")} {g("issue")}: {g("value")} ({when}, {g("basis")})'
        if name == "conditions":
            return f'{g("country")} {g("stance")} {g("condition")} for {g("applies_to")} ({when}, {g("basis")})'
        if name == "contributions":
            return f'{g("country")} {g("kind")}, {g("scope")}, {g("commitment")}: {short(g("description"), 80)}'
        if name == "statements":
            return f'{short(g("speaker_label"), 60)} ({g("said", "undated")}): “{short(plain(g("quote")), 80)}”'
        if name == "events":
            return f'{short(g("name"), 80)} ({g("kind")}, {when})'
        if name == "claims":
            return f'{g("question")}: {short(g("value"), 60)} ({g("attributed_to", "no one named")})'
        if name == "roles":
            return f'{g("person_id")}: {short(g("role"), 80)}'
        if name == "sections":
            return short(g("title"), 100)
        return short(" · ".join(str(v) for k, v in r.items() if isinstance(v, str) and v), 100)

    def home(self, name: str, rid: str) -> tuple[str, str] | None:
        """(link relative to the export root, its words) to where the row is shown, or None when only its source page shows it."""
        from .countries import page_of

        r = self.get(name, rid)
        page = page_of(r.get("country")) if name in SHOWN_ON_COUNTRY and r.get("country") in self.codes else None
        if page:
            return f"{page}#{rid}", f"on the {r['country']} page"
        if name == "events" and r:
            return f"index.html#{rid}", "in the timeline's list"
        return None
