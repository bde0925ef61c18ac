"""Descriptions of every warehouse column, written into the warehouse as DuckDB comments.

``COMMENT ON TABLE`` and ``COMMENT ON COLUMN`` put them in ``duckdb_tables().comment`` and
``duckdb_columns().comment``, so the schema browser, the workbench and any SQL client read the
same words. A council table's columns are described by its contract (description and unit);
every other column by :data:`COLUMN_NOTES`, where ``table.column`` wins over ``column``.
"""

from __future__ import annotations

import duckdb

from triborough.model.contracts import CONTRACT_BY_NAME, PROVENANCE_NOTES

_FY = "(a financial year by its label, e.g. 2015-16; a mid-year estimate 'mid-2015')"

COLUMN_NOTES: dict[str, str] = {
    # Areas and codes.
    "area_code": "ONS code of the area (local authority, region or England).",
    "area_name": "Name of the area as ONS publishes it.",
    "area_type": "Kind of area: London Borough, Metropolitan District, Unitary Authority, "
    "Non-metropolitan District, County, Metropolitan County, Region or Country.",
    "region_code": "ONS code of the region the area is in.",
    "region_name": "Name of the region the area is in.",
    "is_london": "True for the 33 London areas (the 32 boroughs and the City of London).",
    "is_triborough": "True for Westminster, Hammersmith and Fulham, and Kensington and Chelsea.",
    "borough_code": "ONS code of the council the row belongs to.",
    "borough_codes": "ONS codes of the councils in the arrangement, separated by commas.",
    "metric_code": "Code of the metric in the catalogue (dim_metric.code).",
    # Periods.
    "period": f"Period the figure is for {_FY}.",
    "period_end": "Last day of the period (31 March for a financial year).",
    "period_year": "Year the period starts in (a financial year by its first year); for year "
    "filters.",
    "period_start": "First day of the period.",
    "period_months": "Length of the period in months (1 a month, 3 a quarter, 12 a year).",
    "year": "Calendar year of the mid-year (30 June) estimate.",
    "fy": "First calendar year of the financial year (April to March).",
    "months": "Months of figures in the financial year (a year is complete at 12).",
    # Facts.
    "fact_metric.value": "The figure, in the metric's unit (dim_metric.unit); empty where the "
    "publisher suppressed or did not publish it.",
    "numerator": "The count or amount the figure is the share or rate of (its unit: the "
    "metric's definition), where the figure is a ratio.",
    "denominator": "What the numerator is divided by (residents, children, tickets, users), "
    "where the figure is a ratio.",
    "age_band": "Residents counted: all_ages, 0-17 or 18+.",
    "population": "Residents in the age band, persons (ONS mid-year estimate).",
    "spend_by_service.service": "Revenue outturn service line (e.g. adult_social_care).",
    "net_expenditure_gbp_k": "Net current expenditure on the service line, £ thousand, cash.",
    # Inspections.
    "framework": "Ofsted inspection framework (SLAC, CPI, SIF or ILACS).",
    "inspection_date": "Day the inspection started.",
    "publication_date": "Day Ofsted published the report.",
    "judgement_area": "What the judgement is about (e.g. overall effectiveness).",
    "judgement": "Ofsted's judgement in words (outstanding, good, requires improvement, "
    "inadequate).",
    "judgement_score": "The judgement as a number: 1 outstanding, 2 good, 3 requires "
    "improvement, 4 inadequate.",
    # Neighbours.
    "group_id": "Comparator group (e.g. DfE statistical neighbours, Oflog nearest neighbours) "
    "and its model year.",
    "neighbour_code": "ONS code of the neighbouring council.",
    "rank": "Closeness rank of the neighbour within the group (1 is closest).",
    "closeness": "The publisher's closeness band or measure for the neighbour.",
    # Arrangements and the programme.
    "arrangement_id": "Code of the shared-service arrangement.",
    "arrangements.service": "Service shared under the arrangement.",
    "start_date": "Day the arrangement or contract started.",
    "end_date": "Day the arrangement or contract ended or ends; empty when no source gives one.",
    "confirmed_until": "Last day a source confirms the arrangement was still running.",
    "arrangements.description": "The arrangement in words.",
    "source_url": "Address of the published source.",
    "date": "Day of the milestone.",
    "label": "The milestone in words, as charts annotate it.",
    "kind": "Kind of milestone: event or target.",
    "value_gbp_m": "The target's amount, £ million a year; empty for events.",
    "date_published": "When the claim was published (as the source dates it).",
    "scope": "Whose savings the claim covers (all three boroughs or one).",
    "programme_reported.measure": "What was claimed (a target, a saving delivered).",
    "programme_reported.value": "The amount claimed, in the row's unit.",
    "programme_reported.unit": "Unit of the amount (e.g. £m a year).",
    "period_referred_to": "Years the claim refers to, as the source says it.",
    "source_publisher": "Who published the claim.",
    "quote_or_note": "The claim in the source's words, or a note on it.",
    # Libraries.
    "library_activity.measure": "Activity counted: visits, loans or active users.",
    "breakdown": "Which part of the activity (a format, an age group, or total).",
    "library_activity.value": "The count for the period, persons or items.",
    "library_id": "Identifier of the library in the DCMS list.",
    "library_name": "Name of the library.",
    "postcode": "Postcode of the library.",
    "statutory_2010": "True when the library was part of the statutory service in 2010.",
    "statutory_2016": "True when the library was part of the statutory service in 2016.",
    "library_type": "Kind of library in 2016 (council run, community managed, closed...).",
    "closed_year": "Year the library closed; empty if open in 2016.",
    # Prices.
    "deflator": "GDP deflator index (2024-25 = 100).",
    "gdp_deflator.basis": "outturn, or forecast for years the release projects (OBR).",
    "release": "The publisher's release the figures come from.",
    "cpih": "CPIH index (2015 = 100), the mean of the financial year's months.",
    "oflog_medians.median": "National median of the metric Oflog shows for the year, in the "
    "metric's unit.",
    # The catalogue.
    "code": "Metric code, used in fact_metric.metric_code.",
    "name": "The metric's name as pages show it.",
    "domain": "Service domain (children, adults, libraries, finance, population, IT...).",
    "unit": "Unit of the metric's values (count, percent, gbp, gbp_m, per 10,000...).",
    "polarity": "Which way is better: higher_better, lower_better or neither.",
    "definition": "The publisher's definition of the metric, in words.",
    "source_id": "Code of the source (dim_source.source_id).",
    "period_type": "How periods are labelled: financial_year, mid_year, at_31_march, "
    "at_30_september or year (irregular dates).",
    "is_people_count": "True for counts of people, suppressed on screen below the small-number "
    "threshold.",
    "is_illustrative": "True for generated (illustrative) figures, false for published or "
    "loaded ones.",
    "target": "A target for the metric where one is held, in the metric's unit.",
    "target_is_published": "True when the target was published; false for an illustrative one.",
    "publisher": "Organisation that publishes the source.",
    "source_title": "Title of the source.",
    "title": "Title of the source.",
    "url": "Address of the source.",
    "licence": "Licence the source is published under.",
    # Provenance and build records.
    "table_name": "Name of the warehouse table.",
    "file": "Name of the file loaded.",
    "meta_load.source": "Where the file came from: data/public (published extracts) or "
    "council extract.",
    "sha256": "SHA-256 checksum of the file's bytes.",
    "rows": "Rows loaded from the file.",
    "loaded_at": "When the file was loaded (UTC).",
    "loaded_by": "Who loaded it: build, or the steward's name.",
    "meta_table.description": "What the table holds.",
    "built_at": "When the warehouse was built (UTC).",
    "files": "Published extract files the build read.",
    "illustrative_rows": "Generated rows the table holds for the borough.",
    "loaded_rows": "Rows loaded from councils' extracts the table holds for the borough.",
    "status": "illustrative, loaded or mixed: whose rows the borough's figures are.",
    "first_period": "First period the borough's rows cover.",
    "last_period": "Last period the borough's rows cover.",
    "series": "Which generated column was calibrated (e.g. delivered_gbp_k).",
    "illustrative_calibration.period": "Period calibrated.",
    "illustrative_calibration.basis": "How: the published figure matched, or held flat, "
    "interpolated or assumed.",
    "published_value": "The published figure matched, in the column's unit; empty when none.",
    "generated_value": "The generated figure, in the column's unit.",
    "illustrative_until": "Last day the illustrative contracts and migrations cover: the "
    "build date.",
    # The metric calendar and trend periods.
    "row_before_year": "period_year of the nearest period at or before this one with any row.",
    "row_after_year": "period_year of the nearest period at or after this one with any row.",
    "value_before_year": "period_year of the nearest period at or before this one with a "
    "figure.",
    "value_after_year": "period_year of the nearest period at or after this one with a figure.",
    # Service desk, annual.
    "tower": "IT tower (desktop, service_desk, data_centre, network_telephony), or all.",
    "tickets": "Tickets logged in the year; empty for a part year.",
    "first_contact_resolved": "Tickets resolved at first contact in the year.",
    "sla_met": "Tickets resolved within the service level in the year.",
    "avg_users": "Average staff users over the year's months, persons.",
    "cost_gbp": "Cost in the year, £ cash.",
    "first_contact_pct": "Tickets resolved at first contact, % of tickets.",
    "sla_met_pct": "Tickets resolved within the service level, % of tickets.",
    "cost_per_user_gbp": "Cost per staff user, £ a year, cash.",
}


def column_note(table: str, column: str) -> str | None:
    """The description of ``table.column`` (with its unit for a council table's columns)."""
    contract = CONTRACT_BY_NAME.get(table)
    if contract is not None:
        if column in PROVENANCE_NOTES:
            return PROVENANCE_NOTES[column]
        if column in contract.column_names:
            col = contract.column(column)
            return f"{col.description} Unit: {col.unit}."
    return COLUMN_NOTES.get(f"{table}.{column}") or COLUMN_NOTES.get(column)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_tables(con: duckdb.DuckDBPyConnection, descriptions: dict[str, str]) -> list[str]:
    """Write each table's description and its columns' as DuckDB comments, in one transaction
    (a commit per comment would write the catalogue hundreds of times); returns the
    ``table.column`` names no description was found for."""
    columns = con.execute(
        "select table_name, column_name from duckdb_columns() where not internal "
        "and schema_name = 'main' and list_contains($t, table_name) "
        "order by table_name, column_index", {"t": list(descriptions)}
    ).fetchall()
    # COMMENT ON takes no parameters; the text is quoted here and the names are the
    # warehouse's own (from the declarations), never user input.
    statements = [f"comment on table {table} is {_literal(text)}"
                  for table, text in descriptions.items()]
    missing = []
    for table, column in columns:
        note = column_note(table, column)
        if note is None:
            missing.append(f"{table}.{column}")
        else:
            statements.append(f'comment on column {table}."{column}" is {_literal(note)}')
    con.execute("begin transaction")
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return missing
