// The page side of every engine driver: runs one call and reports what page JavaScript saw.
// Kept to plain ES2020 so Firefox ESR, WebKitGTK and Chromium all run the same text.
// Each call logs a begin and an end marker around itself, so a driver can tell which console
// lines belong to which call even where a line does not name the URL.
(() => {
  if (window.__corsLab) return;

  const headerNamesOfXhr = (raw) =>
    raw
      .trim()
      .split(/[\r\n]+/)
      .filter((line) => line.includes(":"))
      .map((line) => line.slice(0, line.indexOf(":")).trim().toLowerCase())
      .sort();

  async function viaFetch(call) {
    let response;
    try {
      response = await fetch(call.url, call.init);
    } catch (error) {
      return { resolved: false, error: String(error) };
    }
    let body = null;
    try {
      body = await response.text();
    } catch (error) {
      body = null;
    }
    return {
      resolved: true,
      status: response.status,
      type: response.type,
      headers: [...response.headers.keys()].sort(),
      body,
    };
  }

  function viaXhr(call) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      const finish = (event) =>
        resolve({
          resolved: event === "load",
          status: xhr.status,
          headers: headerNamesOfXhr(xhr.getAllResponseHeaders()),
          body: event === "load" ? xhr.responseText : null,
          error: event === "load" ? null : `${event} event`,
        });
      try {
        xhr.open(call.method, call.url);
        xhr.withCredentials = Boolean(call.withCredentials);
        for (const [name, value] of call.headers) xhr.setRequestHeader(name, value);
        xhr.onload = () => finish("load");
        xhr.onerror = () => finish("error");
        xhr.onabort = () => finish("abort");
        xhr.ontimeout = () => finish("timeout");
        xhr.send(call.body === null ? null : call.body);
      } catch (error) {
        resolve({ resolved: false, error: String(error) });
      }
    });
  }

  async function viaAxios(call) {
    if (typeof window.axios !== "function") return { resolved: false, error: "axios is not loaded in this page" };
    try {
      // Keep the body as text, as fetch and XHR report it.
      const response = await window.axios({ ...call.config, responseType: "text", transformResponse: [(d) => d] });
      const headers = response.headers && response.headers.toJSON ? response.headers.toJSON() : response.headers;
      return {
        resolved: true,
        status: response.status,
        headers: Object.keys(headers || {}).map((n) => n.toLowerCase()).sort(),
        body: response.data,
      };
    } catch (error) {
      return {
        resolved: false,
        error: String(error),
        axios: {
          message: error.message,
          code: error.code === undefined ? null : error.code,
          responseUndefined: error.response === undefined,
          requestStatus: error.request ? error.request.status : null,
        },
      };
    }
  }

  const runners = { fetch: viaFetch, xhr: viaXhr, axios: viaAxios };

  window.__corsLab = {
    async run(call) {
      console.log(`cors-lab:begin:${call.token}`);
      const started = performance.now();
      try {
        const answer = await runners[call.kind](call);
        answer.elapsedMs = performance.now() - started;
        return answer;
      } finally {
        console.log(`cors-lab:end:${call.token}`);
      }
    },
    flush(token) {
      console.log(`cors-lab:flush:${token}`);
      return true;
    },
  };
})();
