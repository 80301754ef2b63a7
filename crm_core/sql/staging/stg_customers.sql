-- grain: one row per customer
-- The customer archive; when no archive is loaded (an orders-only import), customers are
-- derived from the orders: first touch = first order, archive fields empty.
with archive as (
    select
        customer_id,
        name as customer_name,
        signed_up_at,
        gender,
        birth_year,
        city,
        region,
        acquisition_channel,
        account_manager_id,
        email,
        phone,
        email_consent,
        sms_consent
    from customers
),

derived as (
    select
        customer_id,
        cast(null as varchar) as customer_name,
        min(ordered_at) as signed_up_at,
        cast(null as varchar) as gender,
        cast(null as integer) as birth_year,
        cast(null as varchar) as city,
        cast(null as varchar) as region,
        cast(null as varchar) as acquisition_channel,
        cast(null as bigint) as account_manager_id,
        cast(null as varchar) as email,
        cast(null as varchar) as phone,
        cast(null as boolean) as email_consent,
        cast(null as boolean) as sms_consent
    from orders
    where not exists (select 1 from customers)
    group by customer_id
),

unioned as (
    select * from archive
    union all
    select * from derived
),

final as (
    select
        customer_id,
        customer_name,
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
    from unioned
)

select * from final
