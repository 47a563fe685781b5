"""Country spellings as real facility lists write them (issue 14): pycountry's codes and names
plus the alias table reference/country_aliases.yaml — never a fuzzy guess."""

from __future__ import annotations

import pycountry
import pytest
import yaml

from data_access.importing.cleaners import COUNTRY_ALIASES_FILE, country, country_key

#: (spelling as found in supplier lists, ISO 3166 alpha-2)
SPELLINGS = [
    # Better Work countries and big sourcing countries, every way they are written
    ("Viet Nam", "VN"), ("Vietnam", "VN"), ("VIETNAM", "VN"), ("viet  nam", "VN"),
    ("Việt Nam", "VN"), ("VN", "VN"), ("VNM", "VN"), ("704", "VN"),
    ("Socialist Republic of Vietnam", "VN"),
    ("Cambodia", "KH"), ("KH", "KH"), ("KHM", "KH"), ("Kampuchea", "KH"),
    ("Kingdom of Cambodia", "KH"),
    ("Bangladesh", "BD"), ("BGD", "BD"), ("People's Republic of Bangladesh", "BD"),
    ("Sri Lanka", "LK"), ("SriLanka", "LK"), ("Ceylon", "LK"), ("LKA", "LK"),
    ("Indonesia", "ID"), ("IDN", "ID"), ("Republic of Indonesia", "ID"),
    ("Pakistan", "PK"), ("Islamic Republic of Pakistan", "PK"),
    ("Jordan", "JO"), ("Hashemite Kingdom of Jordan", "JO"),
    ("Egypt", "EG"), ("Arab Republic of Egypt", "EG"), ("EGY", "EG"),
    ("Ethiopia", "ET"), ("Haiti", "HT"), ("Nicaragua", "NI"), ("India", "IN"), ("Bharat", "IN"),
    ("Myanmar", "MM"), ("Burma", "MM"), ("MMR", "MM"),
    ("China", "CN"), ("CHN", "CN"), ("PRC", "CN"), ("P.R. China", "CN"), ("PR China", "CN"),
    ("People's Republic of China", "CN"), ("Mainland China", "CN"), ("China (PRC)", "CN"),
    ("Hong Kong", "HK"), ("Hong Kong SAR", "HK"), ("Hong Kong, China", "HK"),
    ("HongKong", "HK"), ("HKG", "HK"),
    ("Macau", "MO"), ("Macao", "MO"), ("Macau SAR", "MO"),
    ("Taiwan", "TW"), ("Chinese Taipei", "TW"), ("Taiwan (ROC)", "TW"),
    ("Türkiye", "TR"), ("Turkiye", "TR"), ("Turkey", "TR"), ("TUR", "TR"),
    ("Republic of Turkey", "TR"),
    # Korea: the two are told apart, "Korea" alone is not
    ("South Korea", "KR"), ("S. Korea", "KR"), ("Korea, Republic of", "KR"),
    ("Republic of Korea", "KR"), ("Korea (South)", "KR"), ("Korea, Rep.", "KR"), ("KOR", "KR"),
    ("North Korea", "KP"), ("DPRK", "KP"),
    # Côte d'Ivoire
    ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"), ("Cote d’Ivoire", "CI"),
    ("Ivory Coast", "CI"), ("CIV", "CI"),
    # buyers' countries
    ("UK", "GB"), ("U.K.", "GB"), ("United Kingdom", "GB"), ("Great Britain", "GB"),
    ("England", "GB"), ("GBR", "GB"), ("Britain", "GB"),
    ("USA", "US"), ("U.S.A.", "US"), ("US", "US"), ("U.S.", "US"), ("United States", "US"),
    ("United States of America", "US"),
    ("Germany", "DE"), ("Deutschland", "DE"), ("Netherlands", "NL"), ("Holland", "NL"),
    ("The Netherlands", "NL"), ("Spain", "ES"), ("España", "ES"), ("Italy", "IT"),
    ("Italia", "IT"), ("Poland", "PL"), ("Polska", "PL"), ("France", "FR"),
    ("Czech Republic", "CZ"), ("Czechia", "CZ"), ("Russia", "RU"),
    ("Russian Federation", "RU"), ("Moldova", "MD"), ("Macedonia", "MK"),
    ("North Macedonia", "MK"),
    # Asia, Africa, Americas
    ("Laos", "LA"), ("Lao PDR", "LA"), ("Thailand", "TH"), ("Philippines", "PH"),
    ("The Philippines", "PH"), ("Malaysia", "MY"), ("Brunei", "BN"), ("East Timor", "TL"),
    ("Timor-Leste", "TL"), ("UAE", "AE"), ("United Arab Emirates", "AE"), ("KSA", "SA"),
    ("Saudi Arabia", "SA"), ("Iran", "IR"), ("Syria", "SY"), ("Palestine", "PS"),
    ("Tanzania", "TZ"), ("DR Congo", "CD"), ("DRC", "CD"),
    ("Democratic Republic of Congo", "CD"), ("Congo-Brazzaville", "CG"),
    ("Republic of Congo", "CG"), ("Swaziland", "SZ"), ("Eswatini", "SZ"),
    ("Cape Verde", "CV"), ("Cabo Verde", "CV"), ("The Gambia", "GM"), ("Morocco", "MA"),
    ("Tunisia", "TN"), ("Kenya", "KE"), ("Madagascar", "MG"), ("Lesotho", "LS"),
    ("Mauritius", "MU"), ("Mexico", "MX"), ("México", "MX"), ("Brazil", "BR"),
    ("Brasil", "BR"), ("Bolivia", "BO"), ("Venezuela", "VE"), ("Honduras", "HN"),
    ("Guatemala", "GT"), ("El Salvador", "SV"), ("Dominican Republic", "DO"),
    ("Peru", "PE"), ("Perú", "PE"), ("Colombia", "CO"),
    # exact names that look like others: never mixed up
    ("Niger", "NE"), ("Nigeria", "NG"), ("Guinea-Bissau", "GW"), ("Equatorial Guinea", "GQ"),
    ("Papua New Guinea", "PG"), ("Dominica", "DM"), ("Sudan", "SD"), ("South Sudan", "SS"),
    ("Austria", "AT"), ("Australia", "AU"),
]


@pytest.mark.parametrize("spelling, code", SPELLINGS)
def test_real_spellings_resolve_to_their_iso_code(spelling, code):
    assert country(spelling) == (code, None)


def test_the_list_is_broad():
    assert len(SPELLINGS) >= 150
    assert len({code for _, code in SPELLINGS}) >= 75


@pytest.mark.parametrize("spelling, codes", [
    ("Congo", {"CG", "CD"}), ("Korea", {"KR", "KP"}), ("KOREA", {"KR", "KP"}),
    ("Guinea", {"GN", "GQ", "GW", "PG"}), ("Virgin Islands", {"VG", "VI"}),
])
def test_names_of_several_countries_are_refused_with_the_choices(spelling, codes):
    value, error = country(spelling)
    assert value is None
    assert "could mean several countries" in error and "write the ISO code" in error
    assert all(f"({code})" in error for code in codes)


@pytest.mark.parametrize("spelling", ["Narnia", "Viet", "XX", "Bengal", "Europe", "Asia",
                                      "Nigeria Niger", "U", "-"])
def test_unknown_spellings_are_refused_not_guessed(spelling):
    value, error = country(spelling)
    assert value is None and error == "is not a country name or ISO 3166 code"


def test_the_alias_table_is_consistent_with_iso():
    """Every alias names a real ISO code; no alias contradicts a name pycountry already gives
    another code; an ambiguous spelling lists real codes and resolves to none of them."""
    data = yaml.safe_load(COUNTRY_ALIASES_FILE.read_text(encoding="utf-8"))
    iso = {}
    for c in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            if getattr(c, attr, None):
                iso.setdefault(country_key(getattr(c, attr)), c.alpha_2)
    for alias, code in data["aliases"].items():
        assert pycountry.countries.get(alpha_2=code) is not None, alias
        assert iso.get(country_key(alias), code) == code, (alias, code, iso[country_key(alias)])
        assert country(alias) == (code, None), alias
    for spelling, codes in data["ambiguous"].items():
        assert len(codes) >= 2 and all(pycountry.countries.get(alpha_2=c) for c in codes)
        assert country(spelling)[0] is None


def test_folding_ignores_case_accents_dots_and_apostrophes():
    assert country_key("  Côte d'Ivoire ") == country_key("COTE DIVOIRE") == "cote divoire"
    assert country_key("U.S.A.") == "usa"
    assert country_key("Korea, Rep.") == "korea rep"
