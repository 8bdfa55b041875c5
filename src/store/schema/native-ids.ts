// Table `native_ids`: ids that other systems gave a communication (Message-ID, Call-ID, stanza
// id), unique per system, so replies and duplicates find the communication they belong to.

export interface NativeIdRow {
  system: string;
  native_id: string;
  communication_id: string;
}

export const tableName = "native_ids";

export type PartialDB = { [tableName]: NativeIdRow };
