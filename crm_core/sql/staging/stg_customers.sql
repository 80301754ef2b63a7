-- grain: one row per customer
select
    customer_id,
    name as customer_name,
    signed_up_at,
    cast(signed_up_at as date) as signed_up_on,
    coalesce(gender, 'unknown') as gender,
    birth_year,
    city,
    region,
    acquisition_channel,
    account_manager_id,
    email,
    phone,
    coalesce(email_consent, false) as has_email_consent,
    coalesce(sms_consent, false) as has_sms_consent
from customers
