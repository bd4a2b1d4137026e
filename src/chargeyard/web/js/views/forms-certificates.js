// The command panel's forms for the CA certificates a station keeps (1.6 security extension
// InstallCertificate, GetInstalledCertificateIds, DeleteCertificate; 2.0.1 M05, M03, M04),
// one body each for both versions: uses are named as 2.0.1 names them, and the API says
// them in the station's version (1.6: CentralSystemRootCertificate; the ISO 15118 uses are
// 2.0.1's only, which the API refuses for a 1.6 station).

import { resultTable, said } from "./results.js";

// InstallCertificateUseEnumType of OCPP 2.0.1; GetCertificateIdUseEnumType adds the chain.
const INSTALL_USES = ["CSMSRootCertificate", "ManufacturerRootCertificate", "V2GRootCertificate", "MORootCertificate"];
const ID_USES = [...INSTALL_USES, "V2GCertificateChain"];
const ALGORITHMS = ["SHA256", "SHA384", "SHA512"];

/** A certificate's id as the station names it: its serial number and hash algorithm. */
const idText = (data) => `serial ${data.serialNumber} (${data.hashAlgorithm})`;

function certificatesTable(answer) {
  return [
    said(answer.status === "accepted" ? `${answer.certificates.length} certificates installed.` : "No certificate of these uses is installed."),
    resultTable(
      "certificates",
      [
        ["Use", (row) => row.certificateType],
        ["Serial number", (row) => row.certificateHashData.serialNumber],
        ["Algorithm", (row) => row.certificateHashData.hashAlgorithm],
        ["Issuer name hash", (row) => row.certificateHashData.issuerNameHash],
        ["Issuer key hash", (row) => row.certificateHashData.issuerKeyHash],
      ],
      answer.certificates,
    ),
  ];
}

export const CERTIFICATE_FORMS = [
  {
    title: "Install certificate",
    name: "certificates-install",
    group: "Certificates",
    path: "certificates/install",
    hint: "A CA certificate, PEM. V2G and MO roots are OCPP 2.0.1's only.",
    fields: [
      { name: "certificateType", label: "Use", type: "select", options: INSTALL_USES, value: "CSMSRootCertificate" },
      { name: "certificate", label: "Certificate (PEM)", type: "textarea", rowsShown: 6, placeholder: "-----BEGIN CERTIFICATE-----" },
    ],
    show: (answer) => said(`Certificate ${idText(answer.certificateHashData)}: ${answer.status.replace("_", " ")}.`),
  },
  {
    title: "Installed certificates",
    name: "certificates-installed",
    group: "Certificates",
    path: "certificates/installed",
    hint: "None ticked: every use. A 1.6 station knows the first two.",
    fields: [{ name: "certificateTypes", label: "Uses", type: "checks", options: ID_USES }],
    show: certificatesTable,
  },
  {
    title: "Delete certificate",
    name: "certificates-delete",
    group: "Certificates",
    path: "certificates/delete",
    hint: "The id as Installed certificates gives it, in the algorithm it was given in.",
    fields: [
      { name: "hashAlgorithm", label: "Algorithm", type: "select", options: ALGORITHMS, value: "SHA256" },
      { name: "serialNumber", label: "Serial number", type: "text" },
      { name: "issuerNameHash", label: "Issuer name hash", type: "text", wide: true },
      { name: "issuerKeyHash", label: "Issuer key hash", type: "text", wide: true },
    ],
    body: (certificateHashData) => ({ certificateHashData }),
    show: (answer) => said(`Certificate ${idText(answer.certificateHashData)}: ${answer.status.replace("_", " ")}.`),
  },
];
