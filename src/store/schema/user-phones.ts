// Table `user_phones`: phone number → user, unique, so a call finds its mailbox by one lookup.

export interface UserPhoneRow {
  number: string;
  user_id: string;
}

export const tableName = "user_phones";

export type PartialDB = { [tableName]: UserPhoneRow };
