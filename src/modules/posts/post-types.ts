export interface Post {
  id: number;
  authorId: number;
  title: string;
  body: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPost {
  authorId: number;
  title: string;
  body: string;
}

export interface PostChanges {
  title?: string;
  body?: string;
}
