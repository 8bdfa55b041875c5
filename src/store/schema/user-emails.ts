// Table `user_emails`: lower-cased email → user, unique, so mail routing is one index lookup.

export interface UserEmailRow {
  /** Lower case. */
  email: string;
  user_id: string;
}

export const tableName = "user_emails";

export type PartialDB = { [tableName]: UserEmailRow };
