// One fetch wrapper for both APIs: JSON in and out, and every error body ({"detail": ...})
// turned into an ApiError that reads in plain words.

const MEANING = {
  400: "The request is not valid",
  401: "Not signed in: the API key or token is missing or wrong",
  403: "This token is not allowed to do that",
  404: "Not found",
  409: "Conflict with what exists",
  422: "The request is not valid",
  500: "The server failed",
  502: "The charger answered with an error",
  503: "The charger is not connected",
  504: "The charger did not answer in time",
};

export class ApiError extends Error {
  /**
   * @param meanings what a status means on this API, over MEANING
   * @param unavailable statuses by which this API says "not offered here" (not a failure)
   */
  constructor(status, detail, { meanings = {}, unavailable = [], errorCode = null } = {}) {
    super(ApiError.words(status, detail, meanings));
    this.status = status;
    this.detail = detail;
    this.errorCode = errorCode;
    this.notOffered = unavailable.includes(status);
  }

  /** "The charger is not connected (503): charger CP-1 is not connected" */
  static words(status, detail, meanings = {}) {
    const meaning = meanings[status] || MEANING[status] || `HTTP ${status}`;
    const text = detailText(detail);
    return text && text.toLowerCase() !== meaning.toLowerCase()
      ? `${meaning} (${status}): ${text}`
      : `${meaning} (${status})`;
  }

  /** A 404 from the framework itself: the route is not there (yet), not a missing row. */
  get routeMissing() {
    return this.status === 404 && this.detail === "Not Found";
  }

  /** The error code of the station's CALLERROR (NotSupported, NotImplemented, ...), when the
   * API's 502 says the station answered with one (its errorCode), else null. */
  get stationCode() {
    return this.status === 502 ? this.errorCode : null;
  }

  /** The server does not offer this (yet, or in this process): a state, not a failure. */
  get unavailable() {
    return this.routeMissing || this.notOffered;
  }
}

function detailText(detail) {
  if (detail === undefined || detail === null) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    // FastAPI's validation problems: where, and what is wrong.
    return detail
      .map((problem) => {
        const where = (problem.loc || []).filter((part) => part !== "body").join(".");
        return where ? `${where}: ${problem.msg}` : problem.msg;
      })
      .join("; ");
  }
  return JSON.stringify(detail);
}

/** A network failure (server gone, refused) as an ApiError with status 0. */
export class Unreachable extends ApiError {
  constructor(error) {
    super(0, null);
    this.message = `The server cannot be reached (${error.message})`;
  }
}

/** ``text``: the body as text (a trace's JSON lines), not parsed; an error is read as ever. */
export async function request(url, { method = "GET", headers = {}, body, query, meanings, unavailable, text: asText = false } = {}) {
  const target = new URL(url, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, value);
  }
  const init = { method, headers: { Accept: asText ? "*/*" : "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(target, init);
  } catch (error) {
    throw new Unreachable(error);
  }
  const text = await response.text();
  if (asText && response.ok) return text;
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const detail = data && data.detail !== undefined ? data.detail : data;
    const errorCode = (data && data.errorCode) || null;
    throw new ApiError(response.status, detail, { meanings, unavailable, errorCode });
  }
  return data;
}
