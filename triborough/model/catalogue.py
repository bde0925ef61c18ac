"""The metric catalogue: every metric the warehouse holds, with its unit, polarity and source.

Generic pages (Overview, Compare, scorecard) read this through ``dim_metric``; importers may
only write metric codes that are listed here (the build checks every fact resolves).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

OGL = "Open Government Licence v3.0"

SOURCES: dict[str, dict[str, str]] = {
    "ons_mye": {
        "publisher": "Office for National Statistics",
        "title": "Mid-year population estimates (MYE4 mid-2011 to mid-2023; MYE2 mid-2024)",
        "url": "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
        "licence": OGL,
    },
    "dfe_cin": {
        "publisher": "Department for Education",
        "title": "Children in need (Explore Education Statistics)",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need",
        "licence": OGL,
    },
    "dfe_cla": {
        "publisher": "Department for Education",
        "title": "Children looked after in England including adoptions",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after-in-england-including-adoptions",
        "licence": OGL,
    },
    "ons_boundaries": {
        "publisher": "Office for National Statistics",
        "title": "Local Authority Districts boundaries (May 2020 BGC, London; May 2024 BUC, "
        "England), simplified",
        "url": "https://geoportal.statistics.gov.uk/",
        "licence": OGL,
    },
    "dfe_csww": {
        "publisher": "Department for Education",
        "title": "Children's social work workforce",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/children-s-social-work-workforce",
        "licence": OGL,
    },
    "dfe_sn": {
        "publisher": "Department for Education",
        "title": "Children's services statistical neighbours (2021 and 2025 models)",
        "url": "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait",
        "licence": OGL,
    },
    "ofsted": {
        "publisher": "Ofsted",
        "title": "Children's social care data in England: local authority inspection outcomes",
        "url": "https://www.gov.uk/government/statistics/childrens-social-care-data-in-england-2023",
        "licence": OGL,
    },
    "mhclg_ro": {
        "publisher": "Ministry of Housing, Communities and Local Government",
        "title": "Local authority revenue expenditure and financing: outturn (RS, RSX, RO3)",
        "url": "https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing",
        "licence": OGL,
    },
    "dfe_s251": {
        "publisher": "Department for Education",
        "title": "Section 251 outturn (2008-09 to 2015-16) and LAIT (2016-17 to 2024-25): "
        "children looked after, gross expenditure",
        "url": "https://www.gov.uk/government/collections/section-251-materials",
        "licence": OGL,
    },
    "nhs_salt": {
        "publisher": "NHS Digital (now NHS England)",
        "title": "Adult Social Care Activity and Finance Report: SALT and ASC-FR data tables "
        "2021-22 (table T2, 2019-20 to 2021-22)",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "adult-social-care-activity-and-finance-report",
        "licence": OGL,
    },
    "nhs_ascfr": {
        "publisher": "NHS Digital (now NHS England)",
        "title": "Adult social care finance: PSS-EX1 2014-15 and ASC-FR 2021-22 (table T1)",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "adult-social-care-activity-and-finance-report",
        "licence": OGL,
    },
    "hmt_gdp_deflator": {
        "publisher": "HM Treasury",
        "title": "GDP deflators at market prices and money GDP, March 2026 (2024-25 = 100)",
        "url": "https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp",
        "licence": OGL,
    },
    "ons_cpih": {
        "publisher": "Office for National Statistics",
        "title": "CPIH index, all items (series L522, 2015 = 100), March 2023 release",
        "url": "https://www.ons.gov.uk/economy/inflationandpriceindices/timeseries/l522/mm23",
        "licence": OGL,
    },
    "oflog_asc": {
        "publisher": "Office for Local Government (Oflog)",
        "title": "Local Authority Data Explorer: adult social care metrics",
        "url": "https://oflog.data.gov.uk/",
        "licence": OGL,
    },
    "nhs_pss_ex1": {
        "publisher": "Health and Social Care Information Centre (now NHS England)",
        "title": "Personal Social Services Expenditure and Unit Costs (PSS-EX1): council activity",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/personal-social-services-expenditure-and-unit-costs",
        "licence": OGL,
    },
    "ace_libraries": {
        "publisher": "Arts Council England",
        "title": "Libraries activity dataset 2023/24",
        "url": "https://www.artscouncil.org.uk/supporting-arts-museums-and-libraries/libraries",
        "licence": "Open data (published by Arts Council England; treated as OGL v3.0)",
    },
    "dcms_libraries": {
        "publisher": "DCMS Libraries Taskforce",
        "title": "Public libraries in England, 2010-2016 (July 2016 dataset)",
        "url": "https://www.gov.uk/government/publications/public-libraries-in-england-basic-dataset",
        "licence": OGL,
    },
    "la_nearest_neighbours": {
        "publisher": "LibrariesHacked (publisher of the model not documented)",
        "title": "Nearest-neighbour list of English upper-tier authorities (convenience peer list)",
        "url": "https://github.com/LibrariesHacked/public-libraries-activity-dataset",
        "licence": "Not stated; used only to choose comparators, no figures taken from it",
    },
    "oflog_nn": {
        "publisher": "Office for Local Government (Oflog)",
        "title": "Nearest neighbours used by the Oflog explorer (provenance not documented)",
        "url": "https://github.com/communitiesuk/oflog-automated-text",
        "licence": OGL,
    },
    "programme_reports": {
        "publisher": "Councils' press releases and press reports (see each row)",
        "title": "Reported tri-borough savings targets and milestones",
        "url": "https://www.lbhf.gov.uk/",
        "licence": "Quoted facts from public reporting (each row names its page)",
    },
    "derived": {
        "publisher": "MHCLG revenue outturn with ONS and DfE population estimates",
        "title": "per-head figures derived by Tri-borough Insight",
        "url": "",
        "licence": OGL,
    },
    "illustrative": {
        "publisher": "Tri-borough Insight (generated)",
        "title": "Illustrative figures, deterministic and calibrated to published totals",
        "url": "",
        "licence": "Generated; not a published statistic",
    },
    "council_extract": {
        "publisher": "The councils' own extracts (loaded through Tri-borough Insight)",
        "title": "Council extracts loaded with `triborough ingest` (files listed in meta_load)",
        "url": "",
        "licence": "Council data; see each file's provenance in meta_load",
    },
}


@dataclass(frozen=True)
class Metric:
    """One row of the metric catalogue."""

    code: str
    name: str
    domain: str  # population, finance, children, adults, libraries, it, programme
    unit: str  # persons, count, percent, rate_per_10000, rate_per_1000, gbp, gbp_thousand, ...
    polarity: str  # higher_better, lower_better, neither
    definition: str
    source_id: str
    period_type: str  # financial_year, at_31_march, mid_year, at_30_september, year
    is_people_count: bool = False  # counts of people: subject to small-number suppression
    is_illustrative: bool = False
    target: float | None = None
    target_is_published: bool = False

    def as_row(self) -> dict[str, object]:
        """Catalogue row with the source's publisher, URL and licence resolved."""
        src = SOURCES[self.source_id]
        row = asdict(self)
        row.update(
            publisher=src["publisher"],
            source_title=src["title"],
            source_url=src["url"],
            licence=src["licence"],
        )
        return row


def _m(*args: object, **kwargs: object) -> Metric:
    return Metric(*args, **kwargs)  # type: ignore[arg-type]


# The residents a figure is about, for every per-head figure on every page (Overview, Savings,
# Compare and the build's derived metrics): children's services per child aged 0-17, adults'
# per adult aged 18+, everything else per resident of all ages.
SERVICE_AGE_BANDS: dict[str, str] = {
    "childrens_social_care": "0-17",
    "adult_social_care": "18+",
    "education": "0-17",
}
DOMAIN_AGE_BANDS: dict[str, str] = {"children": "0-17", "adults": "18+"}


def population_band(metric_code: str, domain: str = "") -> str:
    """The population band (all_ages, 0-17 or 18+) a metric's per-head figure divides by.

    A spend line (``nce_<service>`` or a service key) follows the service it pays for, so
    adult social care is per adult even though its catalogue domain is finance; any other
    metric follows its domain.
    """
    service = metric_code.removeprefix("nce_")
    if service in SERVICE_AGE_BANDS:
        return SERVICE_AGE_BANDS[service]
    if service in SPEND_SERVICES:
        return "all_ages"
    return DOMAIN_AGE_BANDS.get(domain, "all_ages")


SPEND_SERVICES: dict[str, str] = {
    "education": "Education services",
    "highways_transport": "Highways and transport services",
    "social_care_combined": "Social care (children's and adults' combined, to 2010-11)",
    "childrens_social_care": "Children's social care",
    "adult_social_care": "Adult social care",
    "public_health": "Public health",
    "housing_gfra": "Housing services (General Fund Revenue Account)",
    "cultural_related": "Cultural and related services (incl. libraries)",
    "library_service": "Library service (RO5; 2012-13 and 2013-14 not found)",
    "environmental_regulatory": "Environmental and regulatory services",
    "planning_development": "Planning and development services",
    "central_services": "Central services",
    "other_services": "Other services",
    "total_service_expenditure": "Total service expenditure",
}

METRICS: tuple[Metric, ...] = (
    # population
    _m("pop_all_ages", "Residents (mid-year estimate)", "population", "persons", "neither",
       "Usual residents at 30 June, ONS mid-year estimate (post-Census 2021 rebased series).",
       "ons_mye", "mid_year"),
    _m("pop_0_17", "Children aged 0-17 (mid-year estimate)", "population", "persons", "neither",
       "Children aged 0 to 17 at 30 June, ONS mid-year estimate as used by DfE for rates.",
       "dfe_cin", "mid_year"),
    # finance: net current expenditure by service line
    *(
        _m(f"nce_{svc}", f"Net current expenditure: {label}", "finance", "gbp_thousand",
           "neither",
           f"Net current expenditure on {label.lower()}: gross expenditure less sales, fees, "
           "charges and other income, £ thousand, cash (not adjusted for inflation).",
           "mhclg_ro", "financial_year")
        for svc, label in SPEND_SERVICES.items()
    ),
    _m("council_tax_requirement", "Council tax requirement", "finance", "gbp_thousand",
       "neither", "Council tax requirement from the Revenue Outturn Summary, £ thousand, cash.",
       "mhclg_ro", "financial_year"),
    _m("unallocated_reserves", "Unallocated reserves (level)", "finance", "gbp_thousand",
       "neither",
       "Level of unallocated financial reserves from the Revenue Outturn Summary, £ thousand "
       "(2017-18: estimated level at 1 April).",
       "mhclg_ro", "financial_year"),
    _m("spend_ph_adult_social_care", "Adult social care spend per adult", "finance", "gbp",
       "neither",
       "Net current expenditure on adult social care divided by residents aged 18+ (all ages "
       "less 0-17) at mid-year of the financial year's start; where that estimate is not in "
       "the rebased series, the nearest year is used.",
       "derived", "financial_year"),
    _m("spend_ph_childrens_social_care", "Children's social care spend per child", "finance",
       "gbp", "neither",
       "Net current expenditure on children's social care divided by children aged 0-17 at "
       "mid-year of the financial year's start (nearest available year where missing).",
       "derived", "financial_year"),
    _m("spend_ph_cultural_related", "Cultural services (incl. libraries) spend per resident",
       "finance", "gbp", "neither",
       "Net current expenditure on cultural and related services divided by residents at "
       "mid-year of the financial year's start (nearest available year where missing).",
       "derived", "financial_year"),
    _m("spend_ph_central_services", "Central services spend per resident", "finance", "gbp",
       "neither",
       "Net current expenditure on central services divided by residents at mid-year of the "
       "financial year's start (nearest available year where missing).",
       "derived", "financial_year"),
    _m("spend_ph_total", "Total service spend per resident", "finance", "gbp", "neither",
       "Total service net current expenditure divided by residents at mid-year of the "
       "financial year's start (nearest available year where missing).",
       "derived", "financial_year"),
    # children: DfE section 251 spending on children looked after
    _m("s251_cla_gross", "Children looked after: gross expenditure (section 251)", "children",
       "gbp_thousand", "neither",
       "Gross expenditure on the 'Total Children Looked After' line of the section 251 outturn "
       "(residential care, fostering, adoption, special guardianship, other), £ thousand, cash. "
       "2008-09 to 2015-16 from the s251 returns, 2016-17 on from DfE's LAIT.",
       "dfe_s251", "financial_year"),
    _m("s251_cla_per_looked_after_child", "Spend per child looked after", "children", "gbp",
       "neither",
       "Section 251 gross expenditure on children looked after divided by the children looked "
       "after at 31 March at the end of the same financial year, £ cash.",
       "derived", "financial_year"),
    _m("s251_cla_per_child", "Spend on children looked after per child aged 0-17", "children",
       "gbp", "neither",
       "Section 251 gross expenditure on children looked after divided by children aged 0-17 "
       "at mid-year of the financial year's start (nearest available year where missing), "
       "£ cash.",
       "derived", "financial_year"),
    # children: DfE
    _m("cin_at_31_march", "Children in need at 31 March", "children", "count", "neither",
       "Children in need episodes open at 31 March.", "dfe_cin", "at_31_march",
       is_people_count=True),
    _m("cin_rate_per_10000", "Children in need per 10,000 children", "children",
       "rate_per_10000", "neither",
       "Children in need at 31 March per 10,000 children aged 0-17 (derived from DfE counts "
       "and the ONS estimate DfE uses).", "dfe_cin", "at_31_march"),
    _m("referrals", "Referrals to children's social care", "children", "count", "neither",
       "Referrals received in the year ending 31 March.", "dfe_cin", "at_31_march",
       is_people_count=True),
    _m("rereferral_pct", "Re-referrals within 12 months", "children", "percent",
       "lower_better",
       "Referrals in the year that came within 12 months of a previous referral, %.",
       "dfe_cin", "at_31_march"),
    _m("cpp_starts", "Child protection plans starting", "children", "count", "neither",
       "Child protection plans starting in the year ending 31 March.", "dfe_cin",
       "at_31_march", is_people_count=True),
    _m("cpp_subsequent_pct", "Second or subsequent child protection plans", "children",
       "percent", "lower_better",
       "Plans starting in the year that were a second or subsequent plan, %.", "dfe_cin",
       "at_31_march"),
    _m("cla_at_31_march", "Children looked after at 31 March", "children", "count", "neither",
       "Children looked after at 31 March (2018 not published in the series used: a gap).",
       "dfe_cla", "at_31_march", is_people_count=True),
    _m("cla_rate_per_10000", "Children looked after per 10,000 children", "children",
       "rate_per_10000", "neither",
       "Children looked after at 31 March per 10,000 children aged 0-17 (DfE's published rate "
       "from 2019; earlier years derived from the count and the ONS estimate).",
       "dfe_cla", "at_31_march"),
    _m("placements_3plus_pct", "Children looked after with 3+ placements in the year",
       "children", "percent", "lower_better",
       "Children looked after at 31 March with three or more placements during the year, %.",
       "dfe_cla", "at_31_march"),
    _m("placement_same_2yrs_pct", "Long-term placement stability (same carer 2+ years)",
       "children", "percent", "higher_better",
       "Children under 16 looked after for 2.5+ years who have lived with the same carer for "
       "2+ years, %.", "dfe_cla", "at_31_march"),
    _m("sw_turnover_pct", "Social worker turnover rate", "children", "percent", "lower_better",
       "Children and family social worker leavers as % of FTE in post, year to 30 September.",
       "dfe_csww", "at_30_september"),
    _m("sw_agency_pct", "Agency social worker rate", "children", "percent", "lower_better",
       "Agency social workers as % of all social workers (FTE) at 30 September.", "dfe_csww",
       "at_30_september"),
    _m("sw_vacancy_pct", "Social worker vacancy rate", "children", "percent", "lower_better",
       "Vacancies as % of vacancies plus FTE in post at 30 September.", "dfe_csww",
       "at_30_september"),
    _m("sw_caseload", "Caseload per case-holding social worker", "children", "cases_per_fte",
       "lower_better", "Cases per case-holding social worker (FTE) at 30 September.",
       "dfe_csww", "at_30_september"),
    _m("ofsted_overall", "Ofsted overall effectiveness", "children", "judgement",
       "higher_better",
       "Overall effectiveness of children's services at the latest inspection "
       "(4 Outstanding, 3 Good, 2 Requires improvement, 1 Inadequate).", "ofsted", "year"),
    # adults: Oflog
    _m("asc_carer_qol", "Carer-reported quality of life", "adults", "score", "higher_better",
       "ASCOF carer-reported quality of life score (out of 12).", "oflog_asc",
       "financial_year"),
    _m("asc_user_qol", "Social care-related quality of life", "adults", "score",
       "higher_better", "ASCOF adjusted social care-related quality of life score.",
       "oflog_asc", "financial_year"),
    _m("asc_info_users_pct", "Ease of finding information: service users", "adults",
       "percent", "higher_better",
       "Service users who find it easy to find information about services, %.", "oflog_asc",
       "financial_year"),
    _m("asc_info_carers_pct", "Ease of finding information: carers", "adults", "percent",
       "higher_better", "Carers who find it easy to find information about support, %.",
       "oflog_asc", "financial_year"),
    _m("asc_short_term_outcome_pct", "Outcome of short-term services (sequel to service)",
       "adults", "percent", "higher_better",
       "Short-term support that resulted in no further or lower-level support, %.",
       "oflog_asc", "financial_year"),
    _m("asc_requests_service_rate", "Requests for support resulting in a service", "adults",
       "rate", "neither",
       "New requests for support that resulted in a service, as a rate (the publisher's file "
       "does not state the unit; likely per 100,000 adults).", "oflog_asc", "financial_year"),
    _m("asc_workforce_turnover_pct", "Adult social care workforce turnover", "adults",
       "percent", "lower_better", "Turnover rate of directly employed care staff, %.",
       "oflog_asc", "financial_year"),
    # adults: PSS-EX1 activity (counts rounded to 5 by the publisher)
    _m("asc_net_total_expenditure", "Adult social care net total expenditure (ASC returns)",
       "adults", "gbp_thousand", "neither",
       "Net total expenditure on adult social care as the social care finance returns report "
       "it (PSS-EX1 2014-15, ASC-FR 2021-22), £ thousand, cash. A different basis from the "
       "revenue outturn's adult social care line.", "nhs_ascfr", "financial_year"),
    _m("asc_net_current_expenditure", "Adult social care net current expenditure (ASC returns)",
       "adults", "gbp_thousand", "neither",
       "Net current expenditure on adult social care in the PSS-EX1 finance return, 2014-15 "
       "only, £ thousand, cash.", "nhs_ascfr", "financial_year"),
    _m("asc_gross_current_expenditure", "Adult social care gross current expenditure",
       "adults", "gbp_thousand", "neither",
       "Gross current expenditure on adult social care (PSS-EX1 2014-15, ASC-FR 2021-22), "
       "£ thousand, cash.", "nhs_ascfr", "financial_year"),
    _m("asc_requests_new_clients", "Requests for support from new clients (adults)", "adults",
       "count", "neither",
       "Requests for support received from new clients aged 18 to 64 and 65 and over in the "
       "year (SALT STS001), rounded to 5 by the publisher. Not comparable with PSS-EX1 "
       "assessments before 2014.", "nhs_salt", "financial_year", is_people_count=True),
    _m("asc_long_term_support_clients", "Adults accessing long-term support during the year",
       "adults", "count", "neither",
       "Clients aged 18 to 64 and 65 and over accessing long-term support at any time in the "
       "year (SALT LTS001A), rounded to 5 by the publisher.", "nhs_salt", "financial_year",
       is_people_count=True),
    _m("asc_assessments", "Completed assessments (adults)", "adults", "count", "neither",
       "Completed assessments of new clients in the year, all client groups.", "nhs_pss_ex1",
       "financial_year", is_people_count=True),
    _m("asc_reviews", "Completed reviews (adults)", "adults", "count", "neither",
       "Completed reviews of existing clients in the year, all client groups.", "nhs_pss_ex1",
       "financial_year", is_people_count=True),
    _m("asc_home_care_clients", "People receiving home care at 31 March", "adults", "count",
       "neither", "Adults receiving home care at 31 March.", "nhs_pss_ex1", "financial_year",
       is_people_count=True),
    _m("asc_day_care_clients", "People receiving day care at 31 March", "adults", "count",
       "neither", "Adults receiving day care at 31 March.", "nhs_pss_ex1", "financial_year",
       is_people_count=True),
    _m("asc_direct_payments_clients", "People receiving direct payments at 31 March", "adults",
       "count", "neither", "Adults receiving direct payments at 31 March.", "nhs_pss_ex1",
       "financial_year", is_people_count=True),
    # libraries
    _m("lib_visits", "Library visits", "libraries", "count", "higher_better",
       "Physical visits to the library service in the year.", "ace_libraries",
       "financial_year"),
    _m("lib_visits_per_1000", "Library visits per 1,000 residents", "libraries",
       "rate_per_1000", "higher_better",
       "Physical visits in the year per 1,000 residents (ONS mid-2023 estimate).",
       "ace_libraries", "financial_year"),
    _m("lib_loans", "Library loans", "libraries", "count", "higher_better",
       "Items loaned in the year (physical and electronic as reported).", "ace_libraries",
       "financial_year"),
    _m("lib_loans_per_1000", "Library loans per 1,000 residents", "libraries",
       "rate_per_1000", "higher_better",
       "Loans in the year per 1,000 residents (ONS mid-2023 estimate).", "ace_libraries",
       "financial_year"),
    _m("lib_active_users", "Active library users", "libraries", "count", "higher_better",
       "Active users (sum of reported age groups).", "ace_libraries", "financial_year"),
    _m("lib_statutory_libraries", "Statutory libraries open", "libraries", "count", "neither",
       "Libraries counted as part of the statutory service in 2010 and in 2016.",
       "dcms_libraries", "year"),
    # illustrative: generated by triborough/warehouse/illustrative.py until a council loads its
    # extracts
    # (the load flips is_illustrative off once no generated rows feed the metric)
    _m("savings_planned_gbp_m", "Shared-services savings planned (a year)", "programme",
       "gbp_million", "neither",
       "Annual saving planned for the year across the programme's workstreams, £ million. "
       "Illustrative: calibrated to the £33.4m projection and the £40m target.",
       "illustrative", "financial_year", is_illustrative=True),
    _m("savings_delivered_gbp_m", "Shared-services savings delivered (a year)", "programme",
       "gbp_million", "higher_better",
       "Annual saving delivered in the year across the programme's workstreams, £ million. "
       "Illustrative: the three boroughs together reach the reported £43m a year in 2015-16.",
       "illustrative", "financial_year", is_illustrative=True),
    _m("savings_one_off_cost_gbp_m", "One-off cost of delivering savings", "programme",
       "gbp_million", "lower_better",
       "One-off cost (redundancy, systems, transition) incurred in the year, £ million.",
       "illustrative", "financial_year", is_illustrative=True),
    _m("sd_first_contact_resolution_pct", "IT tickets resolved at first contact", "it",
       "percent", "higher_better",
       "Tickets resolved at first contact as % of tickets logged in the year, all IT towers.",
       "illustrative", "financial_year", is_illustrative=True),
    _m("sd_sla_met_pct", "IT tickets resolved within the service level", "it", "percent",
       "higher_better",
       "Tickets resolved within the agreed service level as % of tickets logged in the year.",
       "illustrative", "financial_year", is_illustrative=True),
    _m("sd_cost_per_user_gbp", "IT cost per user", "it", "gbp", "lower_better",
       "Cost of the four IT towers in the year divided by the average number of staff users, "
       "£ (cash).", "illustrative", "financial_year", is_illustrative=True),
    _m("sd_tickets_per_user", "IT tickets per user", "it", "rate", "neither",
       "Tickets logged in the year divided by the average number of staff users.",
       "illustrative", "financial_year", is_illustrative=True),
)

METRIC_BY_CODE: dict[str, Metric] = {m.code: m for m in METRICS}
