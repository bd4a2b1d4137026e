"""The catalog of station templates: shipped as package data, checked at load, served as the
REST API's read-only catalog (GET /ocpp/catalog/brands/...)."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import chargeyard.station.catalog as catalog_package
from chargeyard.protocol import V16, V201, OcppError
from chargeyard.station.catalog import (
    Catalog,
    CurrentType,
    InvalidTemplate,
    StationTemplate,
    UnknownBrand,
    UnknownModel,
    UnknownTemplate,
    _ocpp,
    load_catalog,
    read_catalog,
)
from chargeyard.station.catalog._files import FORMAT_VERSION
from chargeyard.station.catalog._parse import Defaults, parse_brand_file, parse_defaults
from chargeyard.station.catalog.equipment import (
    BatterySwapTemplate,
    PaymentTerminalTemplate,
    SlotBattery,
)

DATA = resources.files("chargeyard.station.catalog") / "data"
TEMPLATE_IDS = [template.id for template in load_catalog().templates()]

# OCPP 1.6 section 9: the keys a station must report (Core, LocalAuthListManagement,
# SmartCharging); NumberOfConnectors and ConnectorPhaseRotation are derived by the template.
REQUIRED_KEYS_16 = {
    "AuthorizeRemoteTxRequests",
    "ClockAlignedDataInterval",
    "ConnectionTimeOut",
    "ConnectorPhaseRotation",
    "GetConfigurationMaxKeys",
    "HeartbeatInterval",
    "LocalAuthorizeOffline",
    "LocalPreAuthorize",
    "MeterValuesAlignedData",
    "MeterValuesSampledData",
    "MeterValueSampleInterval",
    "NumberOfConnectors",
    "ResetRetries",
    "StopTransactionOnEVSideDisconnect",
    "StopTransactionOnInvalidId",
    "StopTxnAlignedData",
    "StopTxnSampledData",
    "SupportedFeatureProfiles",
    "TransactionMessageAttempts",
    "TransactionMessageRetryInterval",
    "UnlockConnectorOnEVSideDisconnect",
    "LocalAuthListEnabled",
    "LocalAuthListMaxLength",
    "SendLocalListMaxLength",
    "ChargeProfileMaxStackLevel",
    "ChargingScheduleAllowedChargingRateUnit",
    "ChargingScheduleMaxPeriods",
    "MaxChargingProfilesInstalled",
}

# The whole catalog, one line per model: current, phases, station power, then each EVSE.
SHAPES = {
    # home AC wallboxes: 7.4 kW single-phase, 11 and 22 kW three-phase
    "abb-terra-ac-w22": "AC 3ph 22.08 kW: 22.08 kW cType2",
    "alfen-eve-single-pro-line": "AC 1ph 7.36 kW: 7.36 kW sType2",
    "keba-kecontact-p30-x": "AC 3ph 11.04 kW: 11.04 kW cType2",
    "wallbox-pulsar-plus": "AC 1ph 7.36 kW: 7.36 kW cType2",
    # 22 kW AC with two sockets: one shared supply, or a feed each
    "alfen-eve-double-pro-line": "AC 3ph 22.08 kW shared: 22.08 kW sType2 | 22.08 kW sType2",
    "schneider-electric-evlink-pro-ac-pedestal": (
        "AC 3ph 44.16 kW: 22.08 kW sType2 | 22.08 kW sType2"
    ),
    # DC: a 24 kW wallbox, 50 and 75 kW with CCS2 + CHAdeMO on one EVSE, 150 to 360 kW
    "abb-terra-dc-wallbox-24": "DC 3ph 24 kW: 24 kW cCCS2",
    "abb-terra-54": "DC 3ph 50 kW: 50 kW cCCS2+cG105",
    "tritium-rtm75": "DC 3ph 75 kW: 75 kW cCCS2+cG105",
    "tritium-pkm150": "DC 3ph 150 kW: 150 kW cCCS2",
    "alpitronic-hyc150": "DC 3ph 150 kW shared: 150 kW cCCS2 | 150 kW cCCS2",
    "abb-terra-184": "DC 3ph 180 kW shared: 180 kW cCCS2 | 180 kW cCCS2",
    "alpitronic-hyc300": "DC 3ph 300 kW shared: 300 kW cCCS2 | 300 kW cCCS2",
    "abb-terra-360": "DC 3ph 360 kW shared: 360 kW cCCS2 | 360 kW cCCS2",
    # the reference models of OCPP 2.1: a 22 kW AC wallbox, a 180 kW DC charger
    "chargeyard-ac-wallbox-21": "AC 3ph 22.08 kW: 22.08 kW sType2",
    "chargeyard-dc-fast-21": "DC 3ph 180 kW shared: 180 kW cCCS2 | 180 kW cCCS2",
    # and a battery swap cabinet: four slots, each an EVSE charging the battery in it
    "chargeyard-swap-cabinet-21": (
        "AC 1ph 14.72 kW: 3.68 kW Other1PhOver16A | 3.68 kW Other1PhOver16A"
        " | 3.68 kW Other1PhOver16A | 3.68 kW Other1PhOver16A"
    ),
}


def shape(t: StationTemplate) -> str:
    evses = " | ".join(
        f"{evse.max_power_w / 1000:g} kW " + "+".join(c.type for c in evse.connectors)
        for evse in t.evses
    )
    shared = " shared" if t.shared_power else ""
    return f"{t.current_type} {t.phases}ph {t.max_power_kw:g} kW{shared}: {evses}"


def template(template_id: str) -> StationTemplate:
    return load_catalog().template(template_id)


# --- loading -------------------------------------------------------------------------------


def test_catalog_loads_from_the_installed_package_whatever_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    package_dir = Path(str(catalog_package.__file__)).parent
    assert Path(str(DATA)) == package_dir / "data"
    catalog = read_catalog(DATA)
    assert [t.id for t in catalog.templates()] == TEMPLATE_IDS
    assert load_catalog() is load_catalog()


def test_catalog_has_a_dozen_models_across_brands() -> None:
    catalog = load_catalog()
    brands = catalog.brands()
    assert len(catalog) >= 12
    assert len(brands) >= 6
    assert [b.slug for b in brands] == sorted(b.slug for b in brands)
    assert all(b.model_count == len(catalog.models(b.slug)) for b in brands)
    assert sum(b.model_count for b in brands) == len(catalog)


def test_catalog_lists_these_stations() -> None:
    assert {t.id: shape(t) for t in load_catalog().templates()} == SHAPES


def test_dual_connector_dc_limits_chademo_to_50_kw() -> None:
    ccs, chademo = template("tritium-rtm75").evses[0].connectors
    assert (ccs.label, ccs.max_current_a, ccs.max_power_w) == ("CCS2", 200, 75000)
    assert (chademo.label, chademo.max_current_a, chademo.max_power_w) == ("CHAdeMO", 125, 50000)


# --- what a station built from a template reports ------------------------------------------


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_b01_boot_notification_fits_16_and_201(template_id: str) -> None:
    t = template(template_id)
    V16.schemas.check_request(
        "BootNotification",
        {
            "chargePointVendor": t.vendor,
            "chargePointModel": t.model,
            "firmwareVersion": t.firmware_version,
        },
    )
    station = {"vendorName": t.vendor, "model": t.model, "firmwareVersion": t.firmware_version}
    V201.schemas.check_request(
        "BootNotification", {"reason": "PowerUp", "chargingStation": station}
    )


def test_boot_check_rejects_a_21_character_vendor() -> None:
    with pytest.raises(OcppError):
        V16.schemas.check_request(
            "BootNotification", {"chargePointVendor": "V" * 21, "chargePointModel": "M"}
        )


def test_length_limits_are_those_of_the_official_schemas() -> None:
    def max_lengths(package: str, name: str, *path: str) -> dict[str, int]:
        text = (resources.files(package) / "schemas" / name).read_text(encoding="utf-8")
        node: Any = json.loads(text)
        for step in path:
            node = node[step]
        return {field: spec["maxLength"] for field, spec in node.items() if "maxLength" in spec}

    boot16 = max_lengths("ocpp.v16", "BootNotification.json", "properties")
    station = ("definitions", "ChargingStationType", "properties")
    boot201 = max_lengths("ocpp.v201", "BootNotificationRequest.json", *station)
    change16 = max_lengths("ocpp.v16", "ChangeConfiguration.json", "properties")
    limits = {
        "vendor": min(boot16["chargePointVendor"], boot201["vendorName"]),
        "model": min(boot16["chargePointModel"], boot201["model"]),
        "firmware": min(boot16["firmwareVersion"], boot201["firmwareVersion"]),
        "key": change16["key"],
        "value": change16["value"],
    }
    assert limits == {
        "vendor": _ocpp.VENDOR_MAX,
        "model": _ocpp.MODEL_MAX,
        "firmware": _ocpp.FIRMWARE_MAX,
        "key": _ocpp.CONFIG_KEY_MAX,
        "value": _ocpp.CONFIG_VALUE_MAX,
    }


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_configuration_16_has_every_required_key(template_id: str) -> None:
    t = template(template_id)
    configuration = t.configuration_16()
    assert set(configuration) >= REQUIRED_KEYS_16
    assert all(isinstance(value, str) for value in configuration.values())
    assert configuration["NumberOfConnectors"] == str(t.connector_count)
    sampled = configuration["MeterValuesSampledData"].split(",")
    if t.current_type is CurrentType.DC:
        assert configuration["ChargingScheduleAllowedChargingRateUnit"] == "Power"
        assert "SoC" in sampled
    else:
        assert configuration["ChargingScheduleAllowedChargingRateUnit"] == "Current"
        assert "SoC" not in sampled


def test_configuration_layers_defaults_brand_and_model() -> None:
    terra_360 = template("abb-terra-360").default_configuration
    assert (terra_360["HeartbeatInterval"], terra_360["MeterValueSampleInterval"]) == ("600", "30")
    assert template("abb-terra-54").default_configuration["HeartbeatInterval"] == "300"
    assert template("alfen-eve-double-pro-line").default_configuration["ConnectionTimeOut"] == "120"
    assert template("abb-terra-54").default_configuration["ConnectionTimeOut"] == "60"
    assert "NumberOfConnectors" not in template("abb-terra-54").default_configuration
    with pytest.raises(TypeError):
        template("abb-terra-54").default_configuration["HeartbeatInterval"] = "1"  # type: ignore[index]


def test_phase_rotation_is_derived_per_16_connector() -> None:
    assert template("alfen-eve-double-pro-line").configuration_16()["ConnectorPhaseRotation"] == (
        "0.RST,1.RST,2.RST"
    )
    assert template("abb-terra-54").configuration_16()["ConnectorPhaseRotation"] == (
        "0.NotApplicable,1.NotApplicable,2.NotApplicable"
    )


def test_16_connector_ids_map_to_201_evse_and_connector() -> None:
    # Two cables on one EVSE: 1.6 connectors 1 and 2 are 2.0.1 EVSE 1, connectors 1 and 2.
    assert template("abb-terra-54").connector_numbering_16() == {1: (1, 1), 2: (1, 2)}
    # Two EVSEs with one cable each: 1.6 connectors 1 and 2 are EVSEs 1 and 2.
    assert template("alpitronic-hyc300").connector_numbering_16() == {1: (1, 1), 2: (2, 1)}
    assert template("wallbox-pulsar-plus").connector_numbering_16() == {1: (1, 1)}


# --- the catalog API's shapes --------------------------------------------------------------


def test_model_summary_is_the_catalog_api_shape() -> None:
    assert load_catalog().model("abb", "terra-54").to_summary() == {
        "id": "abb-terra-54",
        "slug": "terra-54",
        "name": "Terra 54 CJ",
        "brand_slug": "abb",
        "image_url": None,
        "connector_count": 2,
        "current_type": "DC",
        "supported_kw": [50.0],
        "connector_types": ["cCCS2", "cG105"],
        "max_power_kw": 50.0,
        "evse_count": 1,
        "ocpp_versions": ["1.6", "2.0.1"],
        "vendor": "ABB",
        "model": "Terra 54 CJ",
        "firmware_version": "1.8.36",
        "data_transfer": [
            {"vendor_id": "chargeyard", "message_id": None, "answer": "echo", "data": None}
        ],
    }


def test_every_summary_is_plain_json() -> None:
    catalog = load_catalog()
    summaries = [t.to_summary() for t in catalog.templates()]
    assert json.loads(json.dumps(summaries)) == summaries
    assert catalog.brand("abb").to_summary() == {"slug": "abb", "name": "ABB", "model_count": 5}


def test_lists_are_copies() -> None:
    catalog = load_catalog()
    catalog.models("abb").clear()
    catalog.brands().clear()
    assert len(catalog.models("abb")) == 5
    assert catalog.brands()


def test_unknown_brand() -> None:
    with pytest.raises(UnknownBrand) as raised:
        load_catalog().models("tesla")
    assert raised.value.brand_slug == "tesla"
    assert str(raised.value) == (
        "unknown brand 'tesla' (brands: abb, alfen, alpitronic, chargeyard, keba, "
        "schneider-electric, tritium, wallbox)"
    )
    assert isinstance(raised.value, LookupError)
    with pytest.raises(UnknownBrand):
        load_catalog().model("tesla", "supercharger")


def test_unknown_model() -> None:
    with pytest.raises(UnknownModel) as raised:
        load_catalog().model("alpitronic", "hyc1000")
    assert (raised.value.brand_slug, raised.value.model_slug) == ("alpitronic", "hyc1000")
    assert str(raised.value) == "brand 'alpitronic' has no model 'hyc1000' (models: hyc150, hyc300)"


def test_unknown_template() -> None:
    with pytest.raises(UnknownTemplate, match="unknown station template 'abb-terra-99'"):
        load_catalog().template("abb-terra-99")


# --- validation at load --------------------------------------------------------------------

ACME = """\
format_version = 1

[brand]
slug = "acme"
name = "Acme"
vendor = "Acme"

[[models]]
slug = "dc-50"
name = "DC 50"
model = "DC50"
firmware_version = "1.0"
current_type = "DC"
max_power_w = 50000
supported_kw = [50]

[[models.evses]]
max_power_w = 50000
connectors = [{ type = "cCCS2", max_current_a = 125 }, { type = "cG105", max_current_a = 125 }]

[[models]]
slug = "ac-22"
name = "AC 22"
model = "AC22"
firmware_version = "1.0"
current_type = "AC"
phases = 3
max_power_w = 44160
supported_kw = [22]

[[models.evses]]
max_power_w = 22080
connectors = [{ type = "sType2", max_current_a = 32 }]

[[models.evses]]
max_power_w = 22080
connectors = [{ type = "sType2", max_current_a = 32 }]
"""


@pytest.fixture
def defaults() -> Defaults:
    return parse_defaults(DATA / "_defaults.toml")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert old in ACME
    return ACME.replace(old, new, 1)


def test_a_valid_brand_file_parses(tmp_path: Path, defaults: Defaults) -> None:
    brand, templates = parse_brand_file(write(tmp_path, "acme.toml", ACME), defaults)
    assert (brand.slug, brand.name, brand.model_count) == ("acme", "Acme", 2)
    assert [t.id for t in templates] == ["acme-dc-50", "acme-ac-22"]
    assert templates[0].vendor == "Acme"
    assert templates[1].evses[1].connectors[0].max_power_w == 22080


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            edited('model = "DC50"', 'model = "DC50"\nvendor = "Acme Charging Systems Ltd"'),
            "models[dc-50].vendor: 'Acme Charging Systems Ltd' is not 1 to 20 characters",
        ),
        (
            edited('model = "DC50"', 'model = "DC50 fast charger, 2nd gen"'),
            "models[dc-50].model: 'DC50 fast charger, 2nd gen' is not 1 to 20 characters",
        ),
        (
            edited('type = "cG105"', 'type = "cChaDeMo"'),
            "models[dc-50].evses[1].connectors[2].type: 'cChaDeMo' is not a connector type",
        ),
        (
            edited('type = "cG105"', 'type = "sType2"'),
            "models[dc-50].evses[1].connectors[2].type: a Type 2 socket (sType2) does not carry DC",
        ),
        (
            edited("max_current_a = 125 }]", "max_current_a = 125, max_power_w = 60000 }]"),
            "models[dc-50].evses[1].connectors[2].max_power_w: 60000 W exceeds its EVSE's 50000 W",
        ),
        (
            edited("max_power_w = 50000\nconnectors", "max_power_w = 60000\nconnectors"),
            "models[dc-50].evses[1].max_power_w: 60000 W exceeds the station's 50000 W",
        ),
        (
            edited("max_power_w = 44160", "max_power_w = 40000"),
            "models[ac-22].max_power_w: 40000 W is not the sum of the EVSEs' (44160 W); "
            "set shared_power = true if they share one supply",
        ),
        (
            edited("max_power_w = 44160", "max_power_w = 44160\nshared_power = true"),
            "models[ac-22].shared_power: the EVSEs together (44160 W) never exceed the "
            "station's 44160 W, so nothing is shared",
        ),
        (
            edited('type = "sType2", max_current_a = 32', 'type = "sType2", max_current_a = 16'),
            "models[ac-22].evses[1].connectors[1].max_power_w: 22080 W exceeds "
            "3 x 230 V x 16 A = 11040 W",
        ),
        (
            edited("supported_kw = [22]", "supported_kw = [11]"),
            "models[ac-22].supported_kw: its EVSE's 22.08 kW is not among them",
        ),
        (
            edited("phases = 3", "phases = 2"),
            "models[ac-22].phases: must be 1 or 3, not 2",
        ),
        (
            edited('current_type = "DC"', 'current_type = "dc"'),
            "models[dc-50].current_type: Input should be 'AC' or 'DC', not 'dc'",
        ),
        (
            edited("supported_kw = [50]", 'supported_kw = [50]\nocpp_versions = ["1.5"]'),
            "models[dc-50].ocpp_versions: '1.5' is not one of 1.6, 2.0.1, 2.1",
        ),
        (
            edited("supported_kw = [50]", 'supported_kw = [50]\nimage_url = "https://x.io/a.png"'),
            "models[dc-50].image_url: must be a path under /static/catalog/ served by our API",
        ),
        (
            edited("max_power_w = 50000\nsupported", "max_power_kw = 50\nsupported"),
            "models[dc-50].max_power_w: is required",
        ),
        (
            edited("supported_kw = [50]", "supported_kw = [50]\nmax_power_kw = 50"),
            "models[dc-50].max_power_kw: unknown key",
        ),
        (
            edited('slug = "ac-22"', 'slug = "dc-50"'),
            "models[dc-50].slug: 'dc-50' is used by an earlier model",
        ),
        (
            edited('slug = "ac-22"', 'slug = "AC_22"'),
            "models[2].slug: 'AC_22' is not lowercase letters and digits joined by hyphens",
        ),
        (
            edited('slug = "acme"', 'slug = "acme-corp"'),
            "brand.slug: must match the file's name 'acme.toml'",
        ),
        (
            ACME + "\n[models.configuration]\nHeartbeatInterval = 300\n",
            "models[ac-22].configuration.HeartbeatInterval: must be a string as "
            "GetConfiguration reports it: 300",
        ),
        (
            ACME + '\n[models.configuration]\nHeartbeatInterval = "5 min"\n',
            "models[ac-22].configuration.HeartbeatInterval: must be a non-negative integer, "
            "not '5 min'",
        ),
        (
            ACME + '\n[models.configuration]\nLocalPreAuthorize = "yes"\n',
            'models[ac-22].configuration.LocalPreAuthorize: must be "true" or "false", not \'yes\'',
        ),
        (
            ACME + '\n[models.configuration]\nMeterValuesSampledData = "Energy,SoC"\n',
            "models[ac-22].configuration.MeterValuesSampledData: 'Energy' is not one of",
        ),
        (
            ACME + '\n[models.configuration]\nNumberOfConnectors = "2"\n',
            "models[ac-22].configuration.NumberOfConnectors: is derived from the EVSEs and "
            "connectors; do not set it",
        ),
        (
            edited('vendor = "Acme"', 'vendor = "Acme"\n[brand.configuration]\nResetRetries = 3'),
            "brand.configuration.ResetRetries: must be a string as GetConfiguration reports it: 3",
        ),
        (
            ACME + '\n[[models.data_transfer]]\nvendor_id = "Acme"\nanswer = "pong"\n',
            "models[ac-22].data_transfer[1].answer: Input should be 'echo', 'accept', 'reject' "
            "or 'unknown_message_id', not 'pong'",
        ),
        (
            edited('vendor = "Acme"', 'vendor = "Acme"\ndata_transfer = { vendor_id = "A" }'),
            "brand.data_transfer: Input should be a valid list, not {'vendor_id': 'A'}",
        ),
        (ACME + "\n[[models]\n", "not valid TOML: "),
        # Strict types: no coercion between TOML's integers, floats, booleans and strings.
        (
            edited("max_current_a = 125 }]", 'max_current_a = "125" }]'),
            "models[dc-50].evses[1].connectors[2].max_current_a: Input should be a valid "
            "integer, not '125'",
        ),
        (
            edited("phases = 3", "phases = true"),
            "models[ac-22].phases: Input should be a valid integer, not True",
        ),
        (
            edited("max_power_w = 44160", "max_power_w = 44160.0"),
            "models[ac-22].max_power_w: Input should be a valid integer, not 44160.0",
        ),
        (
            edited("max_power_w = 44160", "max_power_w = 44160\nshared_power = 1"),
            "models[ac-22].shared_power: Input should be a valid boolean, not 1",
        ),
        (
            edited("supported_kw = [22]", "supported_kw = [22, 0]"),
            "models[ac-22].supported_kw[2]: ratings are positive, not 0",
        ),
        (
            edited("max_current_a = 125 }]", "max_current_a = 125, power = 1 }]"),
            "models[dc-50].evses[1].connectors[2].power: unknown key (known here: label, "
            "max_current_a, max_power_w, type)",
        ),
        (
            edited("format_version = 1\n", ""),
            "format_version: is required: the catalog format the file is written in (1)",
        ),
        (
            edited("format_version = 1", "format_version = 2"),
            "format_version: catalog format 2 is not the one this chargeyard reads (1)",
        ),
        (
            edited("format_version = 1", 'format_version = "1"'),
            "format_version: Input should be a valid integer, not '1'",
        ),
    ],
)
def test_invalid_brand_file_names_file_and_field(
    tmp_path: Path, defaults: Defaults, text: str, message: str
) -> None:
    path = write(tmp_path, "acme.toml", text)
    with pytest.raises(InvalidTemplate) as raised:
        parse_brand_file(path, defaults)
    assert str(raised.value).startswith(f"acme.toml: {message}")
    assert raised.value.source == "acme.toml"


# A 2.1 swap cabinet with two slots and a payment terminal, valid as written.
SWAP = """\
format_version = 1

[brand]
slug = "acme"
name = "Acme"
vendor = "Acme"

[[models]]
slug = "swap-2"
name = "Swap 2"
model = "SW2"
firmware_version = "1.0"
current_type = "AC"
phases = 1
max_power_w = 7360
supported_kw = [3.7]
ocpp_versions = ["2.1"]

[[models.evses]]
max_power_w = 3680
connectors = [{ type = "Other1PhOver16A", max_current_a = 16 }]

[[models.evses]]
max_power_w = 3680
connectors = [{ type = "Other1PhOver16A", max_current_a = 16 }]

[models.battery_swap]
capacity_wh = 1500
charged_soc = 80.0
step_s = 20.0
returned_soc = 15.0
batteries = [
    { slot = 2, serial_number = "B2", soc = 50.0, soh = 97.0 },
    { slot = 1, serial_number = "B1", soc = 90.0, soh = 99.0 },
]

[models.payment_terminal]
price_per_kwh = 0.5
receipt_url = "https://r.example/"
"""


def test_a_swap_station_s_slots_and_payment_terminal_are_template_data(
    tmp_path: Path, defaults: Defaults
) -> None:
    _, [swap] = parse_brand_file(write(tmp_path, "acme.toml", SWAP), defaults)
    assert swap.battery_swap == BatterySwapTemplate(
        capacity_wh=1500,
        charged_soc=80.0,
        batteries_per_swap=1,
        step_s=20.0,
        returned_soc=15.0,
        batteries=(SlotBattery(1, "B1", 90.0, 99.0), SlotBattery(2, "B2", 50.0, 97.0)),
    )
    assert swap.payment_terminal == PaymentTerminalTemplate(0.5, "https://r.example/")
    assert template("chargeyard-dc-fast-21").payment_terminal is not None
    assert template("chargeyard-ac-wallbox-21").payment_terminal is None
    assert template("chargeyard-ac-wallbox-21").battery_swap is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "{ slot = 2,",
            "{ slot = 3,",
            "models[swap-2].battery_swap.batteries[1].slot: slot 3 is none of the model's "
            "EVSEs 1-2",
        ),
        (
            "{ slot = 1,",
            "{ slot = 2,",
            "models[swap-2].battery_swap.batteries[2].slot: slot 2 holds an earlier battery",
        ),
        (
            'serial_number = "B1"',
            'serial_number = "B2"',
            "models[swap-2].battery_swap.batteries[2].serial_number: 'B2' is an earlier battery's",
        ),
        (
            "step_s = 20.0",
            "step_s = 20.0\nbatteries_per_swap = 3",
            "models[swap-2].battery_swap.batteries_per_swap: a swap of 3 needs as many "
            "batteries in the slots",
        ),
        (
            "soc = 50.0",
            "soc = 150.0",
            "models[swap-2].battery_swap.batteries[1].soc: must be 0 to 100 (percent), not 150.0",
        ),
        (
            'ocpp_versions = ["2.1"]',
            'ocpp_versions = ["2.0.1"]',
            "models[swap-2].payment_terminal: is OCPP 2.1's: the model does not speak 2.1",
        ),
        (
            "price_per_kwh = 0.5",
            "price_per_kwh = -0.5",
            "models[swap-2].payment_terminal.price_per_kwh: must not be negative, not -0.5",
        ),
    ],
)
def test_a_broken_swap_station_names_its_field(
    tmp_path: Path, defaults: Defaults, old: str, new: str, message: str
) -> None:
    assert old in SWAP
    path = write(tmp_path, "acme.toml", SWAP.replace(old, new, 1))
    with pytest.raises(InvalidTemplate) as raised:
        parse_brand_file(path, defaults)
    assert str(raised.value).startswith(f"acme.toml: {message}")


def test_data_transfer_replies_layer_defaults_brand_and_model(
    tmp_path: Path, defaults: Defaults
) -> None:
    # Later layers add replies and replace one for the same vendorId and messageId.
    text = edited(
        'vendor = "Acme"',
        'vendor = "Acme"\n\n[[brand.data_transfer]]\nvendor_id = "Acme"\nanswer = "echo"\n',
    )
    text += (
        '\n[[models.data_transfer]]\nvendor_id = "acme"\nanswer = "reject"\n'
        '\n[[models.data_transfer]]\nvendor_id = "Acme"\nmessage_id = "Display"\n'
        'answer = "accept"\ndata = { text = "Hello" }\n'
    )
    _, (dc_50, ac_22) = parse_brand_file(write(tmp_path, "acme.toml", text), defaults)
    default = {"vendor_id": "chargeyard", "message_id": None, "answer": "echo", "data": None}
    assert dc_50.to_summary()["data_transfer"] == [
        default,
        {"vendor_id": "Acme", "message_id": None, "answer": "echo", "data": None},
    ]
    assert ac_22.to_summary()["data_transfer"] == [
        default,
        {"vendor_id": "acme", "message_id": None, "answer": "reject", "data": None},
        {
            "vendor_id": "Acme",
            "message_id": "Display",
            "answer": "accept",
            "data": {"text": "Hello"},
        },
    ]


def test_every_shipped_file_states_the_format_it_is_written_in() -> None:
    files = [f for f in DATA.iterdir() if f.name.endswith(".toml")]
    assert len(files) == 1 + len(load_catalog().brands())
    for file in files:
        assert tomllib.loads(file.read_text(encoding="utf-8"))["format_version"] == FORMAT_VERSION


def test_a_bad_defaults_file_names_itself_and_the_field(tmp_path: Path) -> None:
    shipped = (DATA / "_defaults.toml").read_text(encoding="utf-8")
    for text, message in (
        (shipped.replace("nominal_voltage = 230", "nominal_voltage = 0"), "AC.nominal_voltage: "),
        (shipped + 'Pan2 = { label = "Pantograph", current = ["DC", "HV"] }\n', "connectors.Pan2."),
        (shipped.replace("[DC]\n", "[DC]\nvoltage = 400\n"), "DC.voltage: unknown key"),
    ):
        write(tmp_path, "_defaults.toml", text)
        write(tmp_path, "acme.toml", ACME)
        with pytest.raises(InvalidTemplate) as raised:
            read_catalog(tmp_path)
        assert str(raised.value).startswith(f"_defaults.toml: {message}")
    assert str(raised.value) == (
        "_defaults.toml: DC.voltage: unknown key (known here: configuration, nominal_voltage, "
        "phases)"
    )


def test_defaults_allow_only_official_connector_types(tmp_path: Path) -> None:
    text = (DATA / "_defaults.toml").read_text(encoding="utf-8")
    text += 'cChaDeMo = { label = "CHAdeMO", current = ["DC"] }\n'
    with pytest.raises(InvalidTemplate) as raised:
        parse_defaults(write(tmp_path, "_defaults.toml", text))
    assert str(raised.value) == (
        "_defaults.toml: connectors.cChaDeMo: is not an OCPP 2.0.1 ConnectorEnumType value"
    )


def test_read_catalog_from_a_users_directory(tmp_path: Path) -> None:
    write(tmp_path, "_defaults.toml", (DATA / "_defaults.toml").read_text(encoding="utf-8"))
    write(tmp_path, "acme.toml", ACME)
    write(tmp_path, "README.md", "not a brand")
    catalog = read_catalog(tmp_path)
    assert isinstance(catalog, Catalog)
    assert [b.slug for b in catalog.brands()] == ["acme"]
    assert catalog.model("acme", "ac-22").evse_count == 2


def test_template_ids_are_unique_across_brands(tmp_path: Path) -> None:
    # "acme" + "dc-50" and "acme-dc" + "50" both make the id "acme-dc-50".
    write(tmp_path, "_defaults.toml", (DATA / "_defaults.toml").read_text(encoding="utf-8"))
    write(tmp_path, "acme.toml", ACME)
    other = ACME.replace('slug = "acme"', 'slug = "acme-dc"').replace(
        'slug = "dc-50"', 'slug = "50"'
    )
    write(tmp_path, "acme-dc.toml", other)
    with pytest.raises(InvalidTemplate) as raised:
        read_catalog(tmp_path)
    assert str(raised.value) == "acme-dc.toml: models[50]: id 'acme-dc-50' is used twice"


def test_a_model_set_up_below_its_rating_delivers_no_more_anywhere() -> None:
    pedestal = load_catalog().template("schneider-electric-evlink-pro-ac-pedestal")
    assert (pedestal.max_power_w, pedestal.shared_power) == (44_160, False)  # 2 x 22.08 kW

    at_22 = pedestal.rated_at(22_000)

    assert at_22.max_power_w == 22_000
    assert [evse.max_power_w for evse in at_22.evses] == [22_000, 22_000]
    assert at_22.shared_power  # the two EVSEs share the 22 kW now
    # 3 x 230 V: 22 kW is 32 A per phase.
    assert [c.max_current_a for c in at_22.connectors] == [32, 32]
    assert (at_22.id, at_22.connector_types) == (pedestal.id, pedestal.connector_types)
    dc = load_catalog().template("abb-terra-184").rated_at(120_000)
    assert [c.max_power_w for c in dc.connectors] == [120_000, 120_000]
    assert [c.max_current_a for c in dc.connectors] == [
        c.max_current_a for c in load_catalog().template("abb-terra-184").connectors
    ]
    assert pedestal.rated_at(44_160) is pedestal


@pytest.mark.parametrize("power_w", [0, 44_161])
def test_a_model_is_not_set_up_beyond_its_rating(power_w: int) -> None:
    pedestal = load_catalog().template("schneider-electric-evlink-pro-ac-pedestal")
    with pytest.raises(ValueError, match=r"is rated 44\.16 kW: it cannot be set up at"):
        pedestal.rated_at(power_w)
