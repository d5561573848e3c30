export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}
