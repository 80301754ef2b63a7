select
    segment_base.customer_id,
    segment_base.customer_name,
    segment_base.email,
    segment_base.phone,
    segment_base.has_email_consent,
    segment_base.has_sms_consent,
    segment_base.city,
    segment_base.region,
    segment_base.acquisition_channel,
    segment_base.membership_tier,
    segment_base.value_tier,
    segment_base.rfm_segment,
    segment_base.lifecycle_stage,
    segment_base.days_since_last_order,
    segment_base.frequency,
    segment_base.monetary,
    segment_base.signed_up_on
-- segment_base carries the customer's own columns: no second join with customer_features
from segment_base
inner join filtered_customers on filtered_customers.customer_id = segment_base.customer_id
