-- Personal fields are sealed (AES-GCM) by the storage layer from now on; values written
-- before are sealed at the next start. A phone is found by its keyed HMAC, never in clear.
ALTER TABLE requests ADD COLUMN phone_mac TEXT;
CREATE INDEX requests_phone ON requests (phone_mac) WHERE phone_mac IS NOT NULL;
