import { Model } from 'objection';

export class UserModel extends Model {
  static override tableName = 'users';

  declare id: number;
  declare email: string;
  declare email_key: string;
  declare name: string;
  declare password_hash: string;
  declare role: 'user' | 'admin';
  declare email_verified: boolean;
  declare created_at: Date;
  declare updated_at: Date;
}
