import { Model } from 'objection';

export class PostModel extends Model {
  static override tableName = 'posts';

  declare id: number;
  declare author_id: number;
  declare title: string;
  declare body: string;
  declare version: number;
  declare created_at: Date;
  declare updated_at: Date;
}
