// The JSON API, with the bearer token kept in IndexedDB. Errors carry the problem+json
// body, so a screen can show the server's own words ("more than 300 m from the stop").
import { get, set } from "/static/vendor/idb-keyval-6.3.0/index.js";

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  // 5xx, 429 and no answer at all mean "try again later"; a 4xx is the server's answer.
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export async function session() {
  const found = await get("session");
  if (!found || Date.parse(found.expires_at) <= Date.now()) return null;
  return found;
}

export async function login(email, password) {
  const answer = await request("POST", "/v1/auth/token", { body: { email, password }, auth: false });
  const expires = new Date(Date.now() + answer.expires_in * 1000).toISOString();
  const made = { token: answer.access_token, email, expires_at: expires };
  await set("session", made);
  return made;
}

export async function request(method, path, { body, auth = true, blob, type } = {}) {
  const headers = { Accept: "application/json" };
  if (auth) {
    const current = await session();
    if (!current) throw new ApiError(401, { detail: "Please sign in again." });
    headers.Authorization = `Bearer ${current.token}`;
  }
  let payload;
  if (blob) {
    payload = blob;
    headers["Content-Type"] = type;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, { detail: "No network: saved on this phone, sent later." });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { detail: text.slice(0, 200) }; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
