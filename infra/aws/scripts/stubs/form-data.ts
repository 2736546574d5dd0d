// axios imports the `form-data` package (and through it mime-types and mime-db, about 150 KB minified) only to
// build multipart request bodies, which the Avi client never sends. The Lambda bundles alias `form-data` to this
// class; using it fails loudly instead of sending something wrong.
export default class FormData {
  constructor() {
    throw new Error('multipart/form-data bodies are not supported in the ako-serverless Lambda bundles');
  }
}
